import Foundation
import Glibc

/// An exclusive `flock` beside the catalogue, so only one herd process (the daemon, or `herd scan`) writes it.
/// Released when the object is freed or the process dies.
public final class WriterLock: Sendable {
    private let fd: Int32

    /// Takes the lock for the catalogue at `catalogPath`, or throws `.busy` naming the holder's pid.
    public init(catalogPath: String) throws {
        let path = catalogPath + ".lock"
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let fd = try Syscall.call("open", path: path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            close(fd)
            if code == EWOULDBLOCK {
                throw DaemonError(
                    .busy, path: catalogPath,
                    "another herd process (pid \(holder)) is writing this catalogue; `herd status` shows what it is doing")
            }
            throw DaemonError.system("flock", errno: code, path: path)
        }
        ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pwrite(fd, pid, pid.count, 0)
        self.fd = fd
    }

    deinit { close(fd) }
}
