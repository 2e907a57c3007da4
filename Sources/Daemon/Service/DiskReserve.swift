import Foundation
import Glibc

/// A little disk space held back beside the catalogue (`catalog.sqlite.reserve`, 1 MiB): when the disk fills up,
/// the daemon gives it back, so that it can still commit its heartbeat and say in `herd status` that it is paused.
/// Ingest resumes only once the disk has room again beyond the reserve, which is then taken back.
struct DiskReserve: Sendable {
    /// The reserve file.
    let path: String
    /// Its size.
    static let bytes = 1 << 20
    /// Free space needed before a paused ingest tries again (the reserve, and room to work).
    static let resumeBytes = 8 << 20

    /// The reserve for the catalogue at `catalogPath`.
    init(catalogPath: String) {
        path = catalogPath + ".reserve"
    }

    /// Makes sure the reserve exists and is allocated; does nothing when the disk has no room for it.
    func take() {
        if let info = try? Syscall.lstat(path), Int(info.st_size) == Self.bytes { return }
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        if posix_fallocate(fd, 0, off_t(Self.bytes)) != 0 { _ = Glibc.unlink(path) }
    }

    /// Gives the reserve back to the file system.
    func release() { _ = Glibc.unlink(path) }

    /// True when the disk holding the catalogue has room to resume work.
    var hasRoomToResume: Bool {
        var info = statvfs()
        guard statvfs((path as NSString).deletingLastPathComponent, &info) == 0 else { return true }
        return Int(info.f_bavail) * Int(info.f_frsize) >= Self.resumeBytes
    }
}
