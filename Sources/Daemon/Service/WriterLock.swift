import Foundation
import Glibc

/// An exclusive `flock`: beside the catalogue, so only one herd process (the daemon, or `herd scan`) writes it; and
/// on the output folder's marker, so two daemons with different catalogues never rewrite the same folders.
/// Released when the object is freed or the process dies.
public final class WriterLock: Sendable {
    private let fd: Int32

    /// Takes the lock for the catalogue at `catalogPath`, or throws `.busy` naming the holder's pid.
    public convenience init(catalogPath: String) throws {
        let path = catalogPath + ".lock"
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try self.init(file: path, writePID: true, concerning: catalogPath) { holder in
            "another herd process (pid \(holder)) is writing this catalogue; `herd status` shows what it is doing"
        }
    }

    /// Takes the lock on the output folder `output` (its `.herd-output` marker, which `FolderWriter.prepare` writes), or
    /// throws `.busy`: another daemon, with another catalogue, keeps its cluster folders there.
    public convenience init(outputFolder output: String) throws {
        try self.init(file: output + "/" + FolderWriter.markerName, writePID: false, concerning: output) { _ in
            "another herd daemon keeps its cluster folders in this output folder (it has another catalogue); give each catalogue its own --output"
        }
    }

    private init(file path: String, writePID: Bool, concerning subject: String, busy: (String) -> String) throws {
        let fd = try Syscall.call("open", path: path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            close(fd)
            if code == EWOULDBLOCK { throw DaemonError(.busy, path: subject, busy(holder)) }
            throw DaemonError.system("flock", errno: code, path: path)
        }
        if writePID {
            ftruncate(fd, 0)
            let pid = Array("\(getpid())\n".utf8)
            _ = pwrite(fd, pid, pid.count, 0)
        }
        self.fd = fd
    }

    deinit { close(fd) }
}
