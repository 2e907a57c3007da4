/// The DINO checkpoints herd knows by name, as published on the Hugging Face hub.
public struct PublishedModel: Sendable, Equatable {
    /// herd's name for it (also its folder in the model store).
    public var name: String
    /// Hugging Face repository.
    public var repository: String
    /// The revision fetched: a 40-hex commit where one is pinned, else a branch (`main`).
    public var revision: String
    /// The weights file taken at that revision.
    public var file: String
    /// Checkpoint layout.
    public var family: ViTConfig.Family
    /// Feature dimension.
    public var hidden: Int
    /// One line for `herd model list`.
    public var summary: String

    public init(name: String, repository: String, revision: String, file: String, family: ViTConfig.Family, hidden: Int, summary: String) {
        self.name = name
        self.repository = repository
        self.revision = revision
        self.file = file
        self.family = family
        self.hidden = hidden
        self.summary = summary
    }

    /// Whether `revision` is a commit (fixed content) rather than a branch that can move.
    public var isPinned: Bool { revision.count == 40 && revision.allSatisfy(\.isHexDigit) }

    /// The four models of the TSP setup. The commits are those of the repositories' `main` as public pins of
    /// them record (e.g. the hub's snapshot folders); facebook/dino-vitb16's could not be checked, so it
    /// follows `main` (the tree API's LFS SHA-256 is checked either way).
    public static let all: [PublishedModel] = [
        PublishedModel(name: "dino-vits16", repository: "facebook/dino-vits16", revision: "abe3b354cb6a9b6f146096b14a4a9d7eecbcb4bd",
                       file: "pytorch_model.bin", family: .dinoV1, hidden: 384, summary: "DINO ViT-S/16, 384-d, 21 M parameters (the paper's encoder)"),
        PublishedModel(name: "dino-vitb16", repository: "facebook/dino-vitb16", revision: "main",
                       file: "pytorch_model.bin", family: .dinoV1, hidden: 768, summary: "DINO ViT-B/16, 768-d, 86 M parameters"),
        PublishedModel(name: "dinov2-small", repository: "facebook/dinov2-small", revision: "ed25f3a31f01632728cabb09d1542f84ab7b0056",
                       file: "model.safetensors", family: .dinoV2, hidden: 384, summary: "DINOv2 ViT-S/14, 384-d, 22 M parameters"),
        PublishedModel(name: "dinov2-base", repository: "facebook/dinov2-base", revision: "f9e44c814b77203eaa57a6bdbbd535f21ede1415",
                       file: "model.safetensors", family: .dinoV2, hidden: 768, summary: "DINOv2 ViT-B/14, 768-d, 86 M parameters"),
    ]

    /// The model used when none is named.
    public static let defaultName = "dino-vits16"

    /// The model called `name` (herd name or repository), if herd knows it.
    public static func named(_ name: String) -> PublishedModel? {
        all.first { $0.name == name || $0.repository == name }
    }
}
