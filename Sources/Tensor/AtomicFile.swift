import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file so that readers see either the old or the whole new contents:
/// temporary name in the same folder → write → fsync → rename → fsync the folder.
public enum AtomicFile {
    /// Replaces the file at `path` with `bytes` atomically; throws a `TensorFileError` naming the file,
    /// the failed call and its errno.
    public static func write(_ bytes: some ContiguousBytes, to path: String) throws {
        let tmp = path + ".tmp-\(getpid())"
        let fd = try call("open", path: tmp) { open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        var closed = false
        defer {
            if !closed { _ = close(fd) }
        }
        do {
            try bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = try call("write", path: tmp) {
                        Glibc.write(fd, raw.baseAddress.unsafelyUnwrapped + offset, raw.count - offset)
                    }
                    offset += Int(written)
                }
            }
            _ = try call("fsync", path: tmp) { fsync(fd) }
            closed = true
            _ = try call("close", path: tmp) { close(fd) }
            _ = try call("rename", path: path) { rename(tmp, path) }
        } catch {
            unlink(tmp)
            throw error
        }
        let folder = (path as NSString).deletingLastPathComponent
        let dirfd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            _ = fsync(dirfd)
            _ = close(dirfd)
        }
    }

    /// Runs a system call, retrying on EINTR; a failure throws an error naming the call, the file and errno.
    static func call<T: BinaryInteger>(_ name: String, path: String, _ body: () -> T) throws -> T {
        while true {
            let r = body()
            if r >= 0 { return r }
            let e = errno
            if e == EINTR { continue }
            throw TensorFileError(
                path: path, message: "\(name) failed: \(String(cString: strerror(e))) (errno \(e)); check that the folder exists and is writable",
                errno: e)
        }
    }
}
