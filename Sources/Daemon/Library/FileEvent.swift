/// What a file-event source reports: paths to look at again, or that it lost track.
public enum FileEvent: Sendable, Hashable {
    /// Something changed at this path (a file or a folder, created, written, moved or deleted).
    case changed(String)
    /// The kernel's event queue overflowed: events were lost, so everything must be rescanned.
    case overflow
    /// A folder could not be watched because the watch limit is reached; the message says which limit.
    case watchLimit(String)
}

/// A source of file events as a plain value: the real one is inotify; tests may hand in any stream.
public struct FileEventSource: Sendable {
    /// Starts watching `folder` (not recursive: every folder is watched on its own).
    public var watch: @Sendable (String) -> Void
    /// Stops watching every folder at or below this path.
    public var unwatchAll: @Sendable (String) -> Void
    /// Batches of events, as they arrive.
    public var events: AsyncStream<[FileEvent]>
    /// Stops the source; `events` then finishes.
    public var stop: @Sendable () -> Void

    /// A source from its parts.
    public init(
        watch: @escaping @Sendable (String) -> Void, unwatchAll: @escaping @Sendable (String) -> Void,
        events: AsyncStream<[FileEvent]>, stop: @escaping @Sendable () -> Void
    ) {
        self.watch = watch
        self.unwatchAll = unwatchAll
        self.events = events
        self.stop = stop
    }
}
