import Foundation

/// Fetches a published model from a Hugging Face hub into a `ModelStore`: reads the file list
/// (sizes and the LFS SHA-256 of the weights), downloads config.json and model.safetensors
/// (resuming a partial download), verifies size and checksum, and installs atomically.
public struct ModelFetch: Sendable {
    /// The hub's base URL (https://huggingface.co, or a loopback server in tests).
    public var hub: URL
    /// Where the model is installed.
    public var store: ModelStore
    /// Git revision to fetch.
    public var revision: String
    let download = Download()

    /// `HERD_HUB_URL` when set, else https://huggingface.co.
    public static func defaultHub(environment: [String: String]) -> URL {
        URL(string: environment["HERD_HUB_URL"] ?? "") ?? URL(string: "https://huggingface.co")!
    }

    public init(hub: URL, store: ModelStore, revision: String = "main") {
        self.hub = hub
        self.store = store
        self.revision = revision
    }

    /// A file in the repository listing.
    struct RemoteFile {
        var size: Int64
        var sha256: String?
    }

    /// Downloads and installs `model`; returns its config. Calling again after an interruption
    /// resumes the weights download.
    @discardableResult
    public func fetch(_ model: PublishedModel, progress: Download.Progress? = nil) async throws -> ViTConfig {
        let files = try await listing(model.repository)
        guard let weights = files["model.safetensors"] else {
            throw EncoderError(model.repository, "the repository has no model.safetensors at revision \(revision); convert its PyTorch weights with safetensors in Python and use `herd model import FILE --name \(model.name)`")
        }
        var config: Data?
        if files["config.json"] != nil {
            config = try await download.data(from: resolve(model.repository, "config.json"))
        }
        let downloads = store.root.appendingPathComponent(".downloads")
        do {
            try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        } catch {
            throw EncoderError(downloads.path, "cannot create the download folder: \(error.localizedDescription)")
        }
        let partial = downloads.appendingPathComponent("\(model.name).safetensors.part")
        try await download.file(from: resolve(model.repository, "model.safetensors"), to: partial, expected: weights.size, progress: progress)
        if let expected = weights.sha256 {
            let found = try FileDigest.sha256Hex(ofFileAt: partial.path)
            guard found == expected.lowercased() else {
                try? FileManager.default.removeItem(at: partial)
                throw EncoderError(model.repository, "model.safetensors failed its checksum (SHA-256 \(found), expected \(expected)); the corrupt download was removed, run `herd model fetch \(model.name)` again")
            }
        }
        return try store.install(weights: partial, config: config, name: model.name, moveWeights: true)
    }

    /// `{hub}/{repo}/resolve/{revision}/{file}`.
    func resolve(_ repository: String, _ file: String) -> URL {
        hub.appendingPathComponent(repository).appendingPathComponent("resolve").appendingPathComponent(revision).appendingPathComponent(file)
    }

    /// Files at the top of the repository, from `{hub}/api/models/{repo}/tree/{revision}`.
    func listing(_ repository: String) async throws -> [String: RemoteFile] {
        let url = hub.appendingPathComponent("api/models").appendingPathComponent(repository).appendingPathComponent("tree").appendingPathComponent(revision)
        let body = try await download.data(from: url)
        guard let entries = (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] else {
            throw EncoderError(url.absoluteString, "unexpected answer from the hub (not a file list)")
        }
        var files: [String: RemoteFile] = [:]
        for entry in entries {
            guard let path = entry["path"] as? String else { continue }
            let lfs = entry["lfs"] as? [String: Any]
            let size = ((lfs?["size"] ?? entry["size"]) as? NSNumber)?.int64Value ?? 0
            files[path] = RemoteFile(size: size, sha256: (lfs?["oid"] ?? lfs?["sha256"]) as? String)
        }
        return files
    }
}
