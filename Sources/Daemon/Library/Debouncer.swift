/// Collects changed paths and lets them go once the tree has been quiet for a while, so half-written files are
/// not read; a steady stream of events still flushes after `maximumDelay`. Pure: the caller supplies the time.
public struct Debouncer: Sendable {
    /// Quiet time required after the last event.
    public var quiet: Duration
    /// Longest a path waits while events keep coming.
    public var maximumDelay: Duration
    private var paths = Set<String>()
    private var first: ContinuousClock.Instant?
    private var last: ContinuousClock.Instant?

    /// A debouncer; `maximumDelay` defaults to ten quiet periods (at least 5 s).
    public init(quiet: Duration, maximumDelay: Duration? = nil) {
        self.quiet = quiet
        self.maximumDelay = maximumDelay ?? max(quiet * 10, .seconds(5))
    }

    /// Records events for `newPaths` at `now`.
    public mutating func add<S: Sequence>(_ newPaths: S, at now: ContinuousClock.Instant) where S.Element == String {
        var any = false
        for path in newPaths {
            paths.insert(path)
            any = true
        }
        guard any else { return }
        if first == nil { first = now }
        last = now
    }

    /// Paths waiting.
    public var count: Int { paths.count }

    /// When the waiting paths are let go if no more events come (nil: none wait).
    public var due: ContinuousClock.Instant? {
        guard let first, let last, !paths.isEmpty else { return nil }
        return min(last + quiet, first + maximumDelay)
    }

    /// The paths, if quiet long enough (or waiting too long) at `now`; empty otherwise.
    public mutating func takeDue(at now: ContinuousClock.Instant) -> Set<String> {
        guard let first, let last, !paths.isEmpty else { return [] }
        guard now - last >= quiet || now - first >= maximumDelay else { return [] }
        defer {
            paths = []
            self.first = nil
            self.last = nil
        }
        return paths
    }
}
