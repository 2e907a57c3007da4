/// The DINO checkpoints herd knows by name, as published on the Hugging Face hub.
public struct PublishedModel: Sendable, Equatable {
    /// herd's name for it (also its folder in the model store).
    public var name: String
    /// Hugging Face repository.
    public var repository: String
    /// Checkpoint layout.
    public var family: ViTConfig.Family
    /// Feature dimension.
    public var hidden: Int
    /// One line for `herd model list`.
    public var summary: String

    /// The four models of the TSP setup.
    public static let all: [PublishedModel] = [
        PublishedModel(name: "dino-vits16", repository: "facebook/dino-vits16", family: .dinoV1, hidden: 384, summary: "DINO ViT-S/16, 384-d, 21 M parameters (the paper's encoder)"),
        PublishedModel(name: "dino-vitb16", repository: "facebook/dino-vitb16", family: .dinoV1, hidden: 768, summary: "DINO ViT-B/16, 768-d, 86 M parameters"),
        PublishedModel(name: "dinov2-small", repository: "facebook/dinov2-small", family: .dinoV2, hidden: 384, summary: "DINOv2 ViT-S/14, 384-d, 22 M parameters"),
        PublishedModel(name: "dinov2-base", repository: "facebook/dinov2-base", family: .dinoV2, hidden: 768, summary: "DINOv2 ViT-B/14, 768-d, 86 M parameters"),
    ]

    /// The model used when none is named.
    public static let defaultName = "dino-vits16"

    /// The model called `name` (herd name or repository), if herd knows it.
    public static func named(_ name: String) -> PublishedModel? {
        all.first { $0.name == name || $0.repository == name }
    }
}
