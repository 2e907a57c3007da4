import Foundation
import Glibc
import Synchronization

/// inotify on a set of folders. Owns the inotify descriptor (closed in `deinit`); a dedicated thread reads it,
/// so a slow consumer never blocks the cooperative pool, and events arrive as an `AsyncStream`.
public final class InotifyWatcher: Sendable {
    private let fd: Int32
    private let wakeFD: Int32
    private let wakeWriteFD: Int32
    private let state = WatchState()
    private let watchLimit: Int?
    private let stream: AsyncStream<[FileEvent]>
    private let continuation: AsyncStream<[FileEvent]>.Continuation

    static let mask: UInt32 =
        UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_FROM) | UInt32(IN_MOVED_TO) | UInt32(IN_CREATE) | UInt32(IN_DELETE)
        | UInt32(IN_ATTRIB) | UInt32(IN_MODIFY) | UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF)
        | UInt32(IN_ONLYDIR) | UInt32(IN_DONT_FOLLOW) | UInt32(IN_EXCL_UNLINK)

    /// Opens an inotify instance. `watchLimit` simulates a lower `fs.inotify.max_user_watches` (a test seam).
    public init(watchLimit: Int? = nil) throws {
        fd = try Syscall.call("inotify_init1") { inotify_init1(Int32(IN_CLOEXEC) | Int32(IN_NONBLOCK)) }
        // A pipe wakes the reader thread for shutdown (eventfd is not in Glibc's Swift module).
        var pipeFDs: [Int32] = [-1, -1]
        do {
            try Syscall.call("pipe") { pipe(&pipeFDs) }
            for pipeFD in pipeFDs {
                try Syscall.call("fcntl") { fcntl(pipeFD, F_SETFD, FD_CLOEXEC) }
                try Syscall.call("fcntl") { fcntl(pipeFD, F_SETFL, O_NONBLOCK) }
            }
        } catch {
            close(fd)
            throw error
        }
        wakeFD = pipeFDs[0]
        wakeWriteFD = pipeFDs[1]
        self.watchLimit = watchLimit
        (stream, continuation) = AsyncStream.makeStream(of: [FileEvent].self, bufferingPolicy: .unbounded)
        let reader = Thread { [fd, wakeFD, state, continuation] in
            Self.readLoop(fd: fd, wakeFD: wakeFD, state: state, continuation: continuation)
        }
        reader.name = "herd.inotify"
        reader.start()
    }

    deinit {
        stop()
        // The reader thread holds copies of the descriptors only until it sees the wake-up, so wait for it.
        while !state.withLock({ $0.readerDone }) { usleep(1000) }
        close(fd)
        close(wakeFD)
        close(wakeWriteFD)
    }

    /// This watcher as a plain `FileEventSource` value.
    public var source: FileEventSource {
        FileEventSource(
            watch: { [self] in self.watch($0) }, unwatchAll: { [self] in self.unwatchAll(under: $0) },
            events: stream, stop: { [self] in self.stop() })
    }

    /// Watches one folder; on the watch limit, reports `.watchLimit` once instead of failing.
    public func watch(_ directory: String) {
        let result: Int32 = state.withLock { table in
            if let limit = watchLimit, table.paths.count >= limit, !table.paths.values.contains(directory) { return -2 }
            let wd = RawPath.withCString(directory) { inotify_add_watch(fd, $0, Self.mask) }
            if wd >= 0 {
                table.paths[wd] = directory
                return 0
            }
            return errno == ENOSPC ? -2 : -1
        }
        if result == -2 {
            let first = state.withLock { table -> Bool in
                defer { table.limitReported = true }
                return !table.limitReported
            }
            if first {
                let limit = (try? String(contentsOfFile: "/proc/sys/fs/inotify/max_user_watches", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
                continuation.yield([
                    .watchLimit(
                        "inotify watch limit reached at \(directory) (fs.inotify.max_user_watches = \(limit)); "
                            + "folders beyond it are caught by periodic rescans. Raise it: sudo sysctl fs.inotify.max_user_watches=524288")
                ])
            }
        }
        // Other failures (the folder vanished meanwhile) need nothing: its parent's event covers it.
    }

    /// Stops watching every folder at or below `path` (moved out of the library, or deleted).
    public func unwatchAll(under path: String) {
        state.withLock { table in
            for (wd, watched) in table.paths where watched == path || HerdConfiguration.isInside(watched, path) {
                inotify_rm_watch(fd, wd)
                table.paths[wd] = nil
            }
        }
    }

    /// Number of folders watched.
    public var watchCount: Int { state.withLock { $0.paths.count } }

    /// Stops the reader thread; the event stream finishes.
    public func stop() {
        var one: UInt8 = 1
        _ = write(wakeWriteFD, &one, 1)
    }
}

/// The watch table behind a lock, shared by the reader thread and callers.
final class WatchState: Sendable {
    private let table = Mutex(WatchTable())

    /// Runs `body` with the table locked.
    func withLock<T>(_ body: (inout WatchTable) -> T) -> T { table.withLock { body(&$0) } }
}

/// The watch descriptors and what the reader thread shares with callers.
struct WatchTable {
    var paths: [Int32: String] = [:]
    var limitReported = false
    var readerDone = false
}
