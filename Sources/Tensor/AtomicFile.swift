import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file so that readers see either the old or the whole new contents:
/// temporary name in the same folder → write → fsync → rename → fsync the folder.
public enum AtomicFile {
    /// Replaces the file at `path` with `bytes` atomically; throws a `TensorFileError` naming the file,
    /// the failed call and its errno (`SystemCall`).
    public static func write(_ bytes: some ContiguousBytes, to path: String) throws {
        let tmp = path + ".tmp-\(getpid())"
        do {
            let fd = try SystemCall.call("open", path: tmp) { open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
            var closed = false
            defer {
                if !closed { _ = close(fd) }
            }
            do {
                try bytes.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let written = try SystemCall.call("write", path: tmp) {
                            Glibc.write(fd, raw.baseAddress.unsafelyUnwrapped + offset, raw.count - offset)
                        }
                        offset += Int(written)
                    }
                }
                try SystemCall.call("fsync", path: tmp) { fsync(fd) }
                closed = true
                try SystemCall.call("close", path: tmp) { close(fd) }
                try SystemCall.rename(tmp, to: path)
            } catch {
                unlink(tmp)
                throw error
            }
        } catch var error as TensorFileError {
            error.message += "; check that the folder exists, is writable and has free space"
            throw error
        }
        // The rename is durable once the folder is synced; a folder that cannot be opened for it is not an error.
        let folder = (path as NSString).deletingLastPathComponent
        try? SystemCall.sync(folder.isEmpty ? "." : folder)
    }
}
