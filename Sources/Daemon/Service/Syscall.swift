import CSystem
import Catalog
import Foundation
import Glibc
import Tensor

/// The daemon's system calls: Tensor's `SystemCall` (the one door that retries `EINTR` and names the call, errno and
/// path) for names given as exact bytes (`RawPath`), its failures as `DaemonError`s.
enum Syscall {
    /// Runs `body` through `SystemCall.call`; a failure is a `.system` error naming the call, errno and path.
    @discardableResult
    static func call<T: FixedWidthInteger>(_ name: String, path: String? = nil, _ body: () -> T) throws -> T {
        do {
            return try SystemCall.call(name, path: path ?? "", body)
        } catch let error as TensorFileError {
            throw DaemonError.system(name, errno: error.errno ?? 0, path: path)
        }
    }

    /// Hands the heap's free pages back to the system (`malloc_trim(3)`). A job that reads every photo (a whole
    /// comparison of the folders, the overview, a retrain) frees its memory when done, but glibc keeps the freed pages
    /// of each thread's arena: at 100,000 photos that held about 700 MB of a daemon that was using under 200 MB.
    static func releaseFreedMemory() {
        _ = herd_release_freed_memory()
    }

    /// `lstat(2)`: never follows a symlink.
    static func lstat(_ path: String) throws -> stat {
        var info = stat()
        try call("lstat", path: path) { RawPath.withCString(path) { Glibc.lstat($0, &info) } }
        return info
    }

    /// `open(2)` read-only, not following a final symlink, close-on-exec.
    static func openForReading(_ path: String) throws -> Int32 {
        try call("open", path: path) { RawPath.withCString(path) { Glibc.open($0, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) } }
    }

    /// The names in a folder (not `.` and `..`), each as its exact bytes (`RawPath`).
    static func directoryEntries(_ path: String) throws -> [String] {
        guard let handle = RawPath.withCString(path, { opendir($0) }) else { throw DaemonError.system("opendir", errno: Glibc.errno, path: path) }
        defer { closedir(handle) }
        var names: [String] = []
        // The name is read through a pointer up to its NUL: `entry.pointee` would copy the whole `dirent`, but glibc
        // packs entries by their names' length, so the last one in its buffer can end before `d_name`'s 256 bytes do
        // (reading them crashed the daemon once the heap behind the buffer had been given back).
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19
        while let entry = readdir(handle) {
            let start = UnsafeRawPointer(entry).advanced(by: nameOffset).assumingMemoryBound(to: CChar.self)
            let name = RawPath.string(fromBytes: UnsafeRawBufferPointer(start: start, count: strlen(start)))
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// `readlink(2)`: where the symlink at `path` points, as exact bytes.
    static func readLink(_ path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = try call("readlink", path: path) { RawPath.withCString(path) { Glibc.readlink($0, &buffer, buffer.count - 1) } }
        return RawPath.string(fromBytes: buffer[0 ..< n].map { UInt8(bitPattern: $0) })
    }

    /// `symlink(2)`: a link at `link` pointing to `target`.
    static func symlink(_ target: String, at link: String) throws {
        try call("symlink", path: link) { RawPath.withCString(target) { t in RawPath.withCString(link) { Glibc.symlink(t, $0) } } }
    }

    /// `rename(2)`.
    static func rename(_ from: String, to: String) throws {
        try call("rename", path: to) { RawPath.withCString(from) { f in RawPath.withCString(to) { Glibc.rename(f, $0) } } }
    }

    /// `unlink(2)`.
    static func unlink(_ path: String) throws {
        try call("unlink", path: path) { RawPath.withCString(path) { Glibc.unlink($0) } }
    }

    /// `read(2)` into `buffer`; returns the byte count (0 at end of file).
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String?) throws -> Int {
        try call("read", path: path) { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// Up to `count` bytes from `fd` (fewer when the file ends first), read in as many `read(2)` calls as it takes.
    static func read(_ fd: Int32, upTo count: Int, path: String?) throws -> Data {
        var data = Data(count: count)
        var filled = 0
        while filled < count {
            let n = try data.withUnsafeMutableBytes { raw in
                try read(fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]), path: path)
            }
            if n == 0 { break }
            filled += n
        }
        return filled < count ? data.prefix(filled) : data
    }

    /// Replaces `path` with `data` through Tensor's `AtomicFile` (temporary name, fsync, rename, fsync
    /// the folder); a failure is a `.system` error naming the call, errno and file.
    static func writeAtomically(_ data: Data, to path: String, syncFolder: Bool = true) throws {
        do {
            try AtomicFile.write(data, to: path, syncFolder: syncFolder)
        } catch let error as TensorFileError {
            throw DaemonError(.system, path: error.path, error.message, errno: error.errno)
        }
    }
}

/// An open file descriptor, closed in `deinit`.
final class FileDescriptor {
    /// The descriptor.
    let fd: Int32

    /// Takes ownership of `fd`.
    init(_ fd: Int32) { self.fd = fd }

    deinit { close(fd) }
}

extension stat {
    /// The stat as the catalogue records it.
    func fileStat(path: String) -> FileStat {
        FileStat(
            path: path, device: UInt64(st_dev), inode: UInt64(st_ino), size: Int64(st_size),
            mtimeNanoseconds: Int64(st_mtim.tv_sec) * 1_000_000_000 + Int64(st_mtim.tv_nsec), mode: UInt32(st_mode),
            ctimeNanoseconds: Int64(st_ctim.tv_sec) * 1_000_000_000 + Int64(st_ctim.tv_nsec))
    }

    /// True for a regular file.
    var isRegularFile: Bool { (st_mode & S_IFMT) == S_IFREG }

    /// True for a directory.
    var isDirectory: Bool { (st_mode & S_IFMT) == S_IFDIR }
}
