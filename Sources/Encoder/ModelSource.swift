import Foundation
import Tensor

/// Where an installed model's weights came from, kept beside them in `source.json` (magic `herd-model-source`,
/// version 1): the hub repository and revision or the imported file, the file's SHA-256 as it was published,
/// and the layout it was converted from.
public struct ModelSource: Codable, Sendable, Equatable {
    /// Hugging Face repository (nil for a local import).
    public var repository: String?
    /// The commit fetched (the hub's `X-Repo-Commit`, else the revision asked for).
    public var revision: String?
    /// File name in the repository, or the imported file's absolute path.
    public var file: String
    /// SHA-256 (hex) of that file as published or imported.
    public var sha256: String
    /// `safetensors` or `pytorch`.
    public var format: String
    /// The layout the weights were mapped from (e.g. `original DINO`).
    public var layout: String
    /// The prefix in front of the model's names in the file (`teacher.backbone.`), empty when none.
    public var prefix: String

    public init(repository: String? = nil, revision: String? = nil, file: String, sha256: String, format: String = "", layout: String = "", prefix: String = "") {
        self.repository = repository
        self.revision = revision
        self.file = file
        self.sha256 = sha256
        self.format = format
        self.layout = layout
        self.prefix = prefix
    }

    /// One line for `herd model list --verbose`.
    public var summary: String {
        let origin = repository.map { "\($0) @ \(revision ?? "?") \(file)" } ?? "imported from \(file)"
        return "\(origin) (\(format), \(layout)\(prefix.isEmpty ? "" : ", under '\(prefix)'"); SHA-256 \(sha256))"
    }

    static let magic = "herd-model-source"
    static let version = 1

    private struct Envelope: Codable {
        var magic: String
        var version: Int
        var source: ModelSource
    }

    /// The bytes of `source.json`.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(Envelope(magic: Self.magic, version: Self.version, source: self))
    }

    /// Reads `source.json` at `path`; nil when absent, throws naming the file when it is not one herd wrote.
    static func read(_ path: String) throws -> ModelSource? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: data), envelope.magic == magic else {
            throw EncoderError(path, "not a model source record herd wrote; reinstall the model")
        }
        guard envelope.version == version else {
            throw EncoderError(path, "model source record version \(envelope.version); this herd reads version \(version)")
        }
        return envelope.source
    }
}
