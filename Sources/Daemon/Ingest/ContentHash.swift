import Crypto
import Foundation
import Glibc

/// SHA-256 of a file's content, read in fixed 1 MiB chunks so memory stays flat for any file size.
public enum ContentHash {
    /// Bytes read per `read(2)`.
    static let chunkSize = 1 << 20

    /// The SHA-256 digest (32 bytes) of the file at `path`.
    public static func sha256(ofFileAt path: String) throws -> Data {
        let file = FileDescriptor(try Syscall.openForReading(path))
        var hasher = SHA256()
        try hash(restOf: file.fd, path: path, into: &hasher)
        return Data(hasher.finalize())
    }

    /// Feeds the rest of `fd` to `hasher` in `chunkSize` reads; returns whether there was any.
    @discardableResult
    static func hash(restOf fd: Int32, path: String, into hasher: inout SHA256) throws -> Bool {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var any = false
        while true {
            let n = try Syscall.read(fd, into: buffer, path: path)
            if n == 0 { return any }
            any = true
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0 ..< n]))
        }
    }

    /// Lower-case hex of a digest, for display.
    public static func hex(_ digest: Data) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
