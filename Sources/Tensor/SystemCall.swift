import CSystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// System calls through one door for every module: retries `EINTR`, and turns a failure into a `TensorFileError`
/// naming the call, the file and errno. Modules above map it to their own error type where they catch it.
public enum SystemCall {
    /// Runs `body` until it returns something other than -1 with `EINTR`; throws on any other negative result.
    @discardableResult
    public static func call<T: BinaryInteger>(_ name: String, path: String, _ body: () -> T) throws -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = Glibc.errno
            if code == EINTR { continue }
            throw failure(name, errno: code, path: path)
        }
    }

    /// The error for `name` failing with `errno` on `path`.
    private static func failure(_ name: String, errno code: Int32, path: String) -> TensorFileError {
        TensorFileError(path: path, message: "\(name) failed: \(String(cString: strerror(code))) (errno \(code))", errno: code)
    }

    /// `fsync(2)` of a file or folder by path, so that what was written (or renamed into a folder) survives a crash.
    public static func sync(_ path: String) throws {
        let fd = try call("open", path: path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { _ = close(fd) }
        try call("fsync", path: path) { fsync(fd) }
    }

    /// `rename(2)`: `from` takes the name `to`, replacing whatever had it.
    public static func rename(_ from: String, to: String) throws {
        try call("rename", path: to) { Glibc.rename(from, to) }
    }

    /// `renameat2(2)` with `RENAME_EXCHANGE`: `a` and `b` (both existing) swap names in one step.
    public static func exchange(_ a: String, with b: String) throws {
        try call("renameat2", path: b) { herd_renameat2(AT_FDCWD, a, AT_FDCWD, b, UInt32(HERD_RENAME_EXCHANGE)) }
    }

    /// `write(2)` of all of `bytes` to `fd` (short writes continued).
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count { done += try call("write", path: path) { Glibc.write(fd, base + done, bytes.count - done) } }
    }
}
