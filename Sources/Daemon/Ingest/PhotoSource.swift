import Crypto
import Foundation
import Glibc
import Imaging
import Synchronization

/// A photo handed to the extractor: its path, and its bytes when ingest has read them already (hashing and
/// inspecting read the same bytes, so a new photo is read from disk once). Without bytes the extractor reads the file.
public struct PhotoSource: Sendable, Equatable {
    /// The file (a library path may hold raw bytes, see `RawPath`).
    public var path: String
    /// The file's content, as hashed; nil when it was too big to keep.
    public var bytes: Data?

    /// A photo at `path`, with its `bytes` when they are at hand.
    public init(path: String, bytes: Data? = nil) {
        self.path = path
        self.bytes = bytes
    }

    /// The photo decoded to at least `minimumShortSide` pixels: from the bytes at hand, else from the file by its
    /// exact name.
    func decode(with decoder: ImageDecoder, minimumShortSide: Int?) throws -> DecodedImage {
        guard let bytes else { return try RawPath.decode(path, with: decoder, minimumShortSide: minimumShortSide) }
        return try decoder.decode(data: bytes, path: path, minimumShortSide: minimumShortSide)
    }
}

/// The one read of a new photo: its SHA-256, and its bytes while a batch's budget allows (a big file is streamed
/// through the hash in 1 MiB chunks and read again by the decoder, so memory stays bounded).
struct PhotoRead {
    /// The content's SHA-256.
    var hash: Data
    /// The whole content, when kept.
    var bytes: Data?

    /// Files over this size are never kept.
    static let largestKept = 64 << 20
    /// Bytes one batch keeps at most (a batch in flight plus the next one being read: twice this).
    static let keptPerBatch = 128 << 20

    /// Reads the file at `path` (by its exact name), keeping its bytes when `keep(size)` agrees.
    static func read(_ path: String, keep: (Int) -> Bool) throws -> PhotoRead {
        let file = FileDescriptor(try Syscall.openForReading(path))
        var info = stat()
        try Syscall.call("fstat", path: path) { fstat(file.fd, &info) }
        let size = Int(info.st_size)
        var hasher = SHA256()
        if info.isRegularFile, size <= largestKept, keep(size) {
            let data = try Syscall.read(file.fd, upTo: size, path: path)
            hasher.update(data: data)
            // A file that grew since fstat: the rest goes through the hash, and the decoder reads the file itself.
            let grew = try ContentHash.hash(restOf: file.fd, path: path, into: &hasher)
            return PhotoRead(hash: Data(hasher.finalize()), bytes: grew ? nil : data)
        }
        try ContentHash.hash(restOf: file.fd, path: path, into: &hasher)
        return PhotoRead(hash: Data(hasher.finalize()), bytes: nil)
    }
}

/// What a batch may still keep in memory of the photos it reads.
final class ReadBudget: Sendable {
    private let left: Mutex<Int>

    init(bytes: Int = PhotoRead.keptPerBatch) { left = Mutex(bytes) }

    /// Takes `size` bytes from the budget if they are left.
    func take(_ size: Int) -> Bool {
        left.withLock { left in
            guard size <= left else { return false }
            left -= size
            return true
        }
    }
}
