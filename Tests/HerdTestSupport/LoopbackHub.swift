import Crypto
import Foundation

/// A Hugging Face hub on loopback, laid out as the real one answers: the tree API
/// (`/api/models/REPO/tree/REVISION`, JSON entries with `lfs.oid` / `lfs.size` for LFS files), `resolve`
/// URLs that serve small files directly and answer LFS files with a 302 to a second loopback server (the
/// storage host, signed-looking URL, `Range` honoured), and `X-Repo-Commit` on resolve answers.
public final class LoopbackHub: @unchecked Sendable {  // servers are thread-safe; `files` is set before use
    public let hub: LoopbackHTTPServer
    public let storage: LoopbackHTTPServer

    public init() throws {
        hub = try LoopbackHTTPServer()
        storage = try LoopbackHTTPServer()
    }

    public func stop() {
        hub.stop()
        storage.stop()
    }

    /// The hub's base URL (for `HERD_HUB_URL`).
    public var base: URL { hub.base }

    /// Lower-case hex SHA-256.
    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// `revision` as one path segment (`refs/pr/1` → `refs%2Fpr%2F1`), as clients send it.
    public static func segment(_ revision: String) -> String {
        revision.replacingOccurrences(of: "/", with: "%2F")
    }

    /// The storage path of an LFS object (what `resolve` redirects to).
    public static func storagePath(_ data: Data) -> String {
        "/repos/\(sha256(data).prefix(2))/\(sha256(data))?response-content-disposition=attachment&X-Amz-Signature=0123abcd"
    }

    /// Publishes `files` of `repository` at each of `revisions` (branch names, `refs/pr/N` or commits), all
    /// resolving to `commit`. Files named in `lfs` are LFS objects (redirected to storage).
    public func publish(_ repository: String, revisions: [String], commit: String, files: [(name: String, data: Data)],
                        lfs: Set<String> = ["model.safetensors", "pytorch_model.bin"]) throws {
        var listing: [[String: Any]] = [["type": "directory", "oid": String(repeating: "d", count: 40), "size": 0, "path": "onnx"]]
        for (name, data) in files {
            var entry: [String: Any] = ["type": "file", "oid": String(repeating: "0", count: 40), "size": data.count, "path": name]
            if lfs.contains(name) {
                entry["size"] = 134  // the pointer file's size, as git sees it
                entry["lfs"] = ["oid": Self.sha256(data), "size": data.count, "pointerSize": 134]
            }
            listing.append(entry)
        }
        let tree = try JSONSerialization.data(withJSONObject: listing)
        for revision in revisions {
            hub.set("/api/models/\(repository)/tree/\(Self.segment(revision))", .init(body: tree))
            for (name, data) in files {
                let path = "/\(repository)/resolve/\(Self.segment(revision))/\(name)"
                if lfs.contains(name) {
                    let location = URL(string: storage.base.absoluteString + Self.storagePath(data))!
                    hub.set(path, .redirect(to: location, headers: ["X-Repo-Commit": commit, "X-Linked-Size": "\(data.count)"]))
                    storage.set(Self.storagePath(data), .init(body: data))
                } else {
                    hub.set(path, .init(body: data, headers: ["X-Repo-Commit": commit]))
                }
            }
        }
    }
}
