import Foundation
import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// A file mapped read-only into memory, for reading checkpoints without copying them: tensors are read
/// straight from the mapping, and `evict` drops pages already converted from this process's memory.
///
/// Immutable after `init` and unmapped in `deinit`; the mapping is read-only, so sharing it across threads
/// is safe (hence `@unchecked Sendable`).
final class MappedFile: @unchecked Sendable {
    /// The file's path, for error messages.
    let path: String
    /// The whole file.
    let bytes: UnsafeRawBufferPointer

    /// Maps `path`; throws naming the file when it cannot be opened or mapped.
    init(path: String) throws {
        self.path = path
        let fd = try EncoderError.systemCalls(hint: "check the path") { try SystemCall.call("open", path: path) { open(path, O_RDONLY | O_CLOEXEC) } }
        defer { close(fd) }
        var info = stat()
        try EncoderError.systemCalls { try SystemCall.call("fstat", path: path) { fstat(fd, &info) } }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw EncoderError(path, "not a regular file") }
        let size = Int(info.st_size)
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw EncoderError(path, "cannot map the file (\(String(cString: strerror(errno))))")
        }
        bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(base), count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }

    /// File size in bytes.
    var count: Int { bytes.count }

    /// Drops the whole pages inside `range` from resident memory (they are read again if touched).
    func evict(_ range: Range<Int>) {
        guard let base = bytes.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound + page - 1) / page * page
        let end = range.upperBound / page * page
        guard end > start else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }

    /// Little-endian unsigned integer of `T`'s width at `offset` (the caller checks the bounds).
    func le<T: FixedWidthInteger>(_ offset: Int, as type: T.Type) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
