import Foundation

/// Fetches a published model from a Hugging Face hub into a `ModelStore`, as the hub serves it today: the
/// file list and each file's LFS size and SHA-256 from the tree API
/// (`/api/models/REPO/tree/REVISION`), the weights from `/REPO/resolve/REVISION/FILE` (a redirect to the
/// storage host for large files), resumed with `Range` after an interruption, checked against the LFS
/// SHA-256, then converted once to the store's form and installed atomically.
public struct ModelFetch: Sendable {
    /// The hub's base URL (https://huggingface.co, or a loopback server in tests).
    public var hub: URL
    /// Where the model is installed.
    public var store: ModelStore
    let download = Download()

    /// `HERD_HUB_URL` when set, else https://huggingface.co.
    public static func defaultHub(environment: [String: String]) -> URL {
        URL(string: environment["HERD_HUB_URL"] ?? "") ?? URL(string: "https://huggingface.co")!
    }

    public init(hub: URL, store: ModelStore) {
        self.hub = hub
        self.store = store
    }

    /// A file in the repository listing.
    struct RemoteFile {
        var size: Int64
        /// The LFS object id (SHA-256 of the content), for files stored in LFS.
        var sha256: String?
    }

    /// The weights files herd takes, in order of preference after the model's own.
    static let weightFiles = ["model.safetensors", "pytorch_model.bin"]

    /// Downloads and installs `model` at `revision`: by default its pinned revision and the file pinned with it;
    /// at another revision the first of `weightFiles` present (safetensors first: no pickle to read).
    /// Calling again after an interruption resumes the download.
    @discardableResult
    public func fetch(_ model: PublishedModel, revision asked: String? = nil, progress: Download.Progress? = nil) async throws -> ModelStore.Installation {
        let revision = asked ?? model.revision
        let files = try await listing(model.repository, revision)
        let candidates = asked == nil ? [model.file] + Self.weightFiles.filter { $0 != model.file } : Self.weightFiles
        guard let file = candidates.first(where: { files[$0] != nil }), let remote = files[file] else {
            throw EncoderError(model.repository, "the repository has none of \(candidates.joined(separator: ", ")) at revision \(revision) (it lists \(files.keys.sorted().prefix(10).joined(separator: ", "))); try another --revision, or download the weights yourself and run `herd model import FILE --name \(model.name)`")
        }
        var config: Data?
        if files["config.json"] != nil {
            config = try await download.data(from: resolve(model.repository, revision, "config.json"))
        }
        let downloads = store.root.appendingPathComponent(".downloads")
        do {
            try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        } catch {
            throw EncoderError(downloads.path, "cannot create the download folder: \(error.localizedDescription)")
        }
        // Named by content where the hub gives it, so a resumed download never mixes two versions of the file.
        let partial = downloads.appendingPathComponent("\(model.name)-\(remote.sha256 ?? revision.replacingOccurrences(of: "/", with: "_"))-\(file).part")
        let transfer = try await download.file(from: resolve(model.repository, revision, file), to: partial, expected: remote.size, progress: progress)
        let found = try FileDigest.sha256Hex(ofFileAt: partial.path)
        if let expected = remote.sha256, found != expected.lowercased() {
            try? FileManager.default.removeItem(at: partial)
            throw EncoderError(model.repository, "\(file) failed its checksum (SHA-256 \(found), the hub lists \(expected)); the corrupt download was removed, run `herd model fetch \(model.name)` again")
        }
        let source = ModelSource(repository: model.repository, revision: transfer.commit ?? revision, file: file, sha256: found)
        do {
            let installed = try store.install(file: partial, config: config, name: model.name, source: source, removeFile: true)
            // Partial downloads of other versions of this model (a revision that moved meanwhile) are of no more use.
            for stale in (try? FileManager.default.contentsOfDirectory(atPath: downloads.path)) ?? [] where stale.hasPrefix(model.name + "-") {
                try? FileManager.default.removeItem(at: downloads.appendingPathComponent(stale))
            }
            return installed
        } catch {
            // A download whose checksum matched but which does not convert will not get better by resuming.
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
    }

    /// `{hub}/{repo}/resolve/{revision}/{file}` (a revision such as `refs/pr/1` is one path segment).
    func resolve(_ repository: String, _ revision: String, _ file: String) -> URL {
        url("\(repository)/resolve/\(Self.segment(revision))/\(file)")
    }

    /// Files at the top of the repository, from `{hub}/api/models/{repo}/tree/{revision}`: for each, the LFS
    /// size and SHA-256 (`lfs.size`, `lfs.oid`) where it is stored in LFS, else its `size`.
    func listing(_ repository: String, _ revision: String) async throws -> [String: RemoteFile] {
        let url = url("api/models/\(repository)/tree/\(Self.segment(revision))")
        let body: Data
        do {
            body = try await download.data(from: url)
        } catch let error as EncoderError where error.message.hasSuffix("HTTP 404") {
            throw EncoderError(error.subject, "the hub answered HTTP 404: no repository \(repository), or no revision '\(revision)' in it; check the name and --revision")
        }
        guard let entries = (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] else {
            throw EncoderError(url.absoluteString, "unexpected answer from the hub (not a file list)")
        }
        var files: [String: RemoteFile] = [:]
        for entry in entries {
            guard let path = entry["path"] as? String, (entry["type"] as? String ?? "file") == "file" else { continue }
            let lfs = entry["lfs"] as? [String: Any]
            guard let size = ((lfs?["size"] ?? entry["size"]) as? NSNumber)?.int64Value, size >= 0 else { continue }
            let oid = (lfs?["oid"] ?? lfs?["sha256"]) as? String
            files[path] = RemoteFile(size: size, sha256: oid.map { $0.hasPrefix("sha256:") ? String($0.dropFirst(7)) : $0 })
        }
        return files
    }

    private func url(_ path: String) -> URL {
        let base = hub.absoluteString.hasSuffix("/") ? String(hub.absoluteString.dropLast()) : hub.absoluteString
        return URL(string: base + "/" + path) ?? hub
    }

    /// `revision` percent-encoded as one URL path segment.
    static func segment(_ revision: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/")
        return revision.addingPercentEncoding(withAllowedCharacters: allowed) ?? revision
    }
}
