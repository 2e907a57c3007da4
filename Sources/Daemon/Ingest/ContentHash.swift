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
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try Syscall.read(file.fd, into: buffer, path: path)
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0 ..< n]))
        }
        return Data(hasher.finalize())
    }

    /// Lower-case hex of a digest, for display.
    public static func hex(_ digest: Data) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
