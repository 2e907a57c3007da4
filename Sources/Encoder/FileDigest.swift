import Crypto
import Foundation
import Tensor

/// SHA-256 checksums of downloaded and installed model files (swift-crypto).
public enum FileDigest {
    /// Lower-case hex SHA-256 of `data`.
    public static func sha256Hex(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// Lower-case hex SHA-256 of the file at `path`, read in 4 MiB pieces.
    public static func sha256Hex(ofFileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw EncoderError(path, "cannot open the file to check its checksum")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hex(hasher.finalize())
    }

    /// As `sha256Hex(ofFileAt:)`, remembered in the file `cache`: it holds the digest with the file's device,
    /// inode, size, modification and change times, and is used only while all five still match (a replaced or rewritten
    /// file is hashed again). Writing the cache is best effort: a read-only folder only costs the hashing.
    public static func sha256Hex(ofFileAt path: String, cache: String) throws -> String {
        var info = stat()
        try EncoderError.systemCalls(hint: "check the path") { try SystemCall.call("stat", path: path) { stat(path, &info) } }
        let key = cacheKey(info)
        if let saved = FileManager.default.contents(atPath: cache).flatMap({ String(data: $0, encoding: .utf8) }) {
            let fields = saved.split(separator: "\n", omittingEmptySubsequences: false)
            if fields.count >= 2, fields[1] == key, fields[0].count == 64, fields[0].allSatisfy(\.isHexDigit) {
                return String(fields[0])
            }
        }
        let digest = try sha256Hex(ofFileAt: path)
        try? AtomicFile.write(Data("\(digest)\n\(key)\n".utf8), to: cache)
        return digest
    }

    /// Remembers `digest` as the SHA-256 of the file at `path` in `cache` (as `sha256Hex(ofFileAt:cache:)` writes
    /// it), for a digest computed while the file was written. Best effort, like the cache itself.
    public static func remember(_ digest: String, ofFileAt path: String, cache: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        try? AtomicFile.write(Data("\(digest)\n\(cacheKey(info))\n".utf8), to: cache)
    }

    /// What identifies one version of a file: device, inode, size, modification and change times. ctime too: a
    /// copy that restores the old mtime (`cp -p`, tar) over the same inode still changes it.
    private static func cacheKey(_ info: stat) -> String {
        "\(info.st_dev) \(info.st_ino) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { byte in byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
    }
}
