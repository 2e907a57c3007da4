import Foundation

/// The daemon's time: what its timers (debounce, rescans, retrain interval, heartbeat) read and sleep on. A plain
/// value passed through `DaemonDependencies`, so tests advance time instead of sleeping.
public struct DaemonClock: Sendable {
    /// The current instant, for intervals.
    public var now: @Sendable () -> ContinuousClock.Instant
    /// The wall-clock time, for what the catalogue records (the last retrain's date).
    public var date: @Sendable () -> Date
    /// Suspends until `deadline`; throws `CancellationError` when the task is cancelled first.
    public var sleep: @Sendable (_ deadline: ContinuousClock.Instant) async throws -> Void

    /// A clock from its three parts.
    public init(
        now: @escaping @Sendable () -> ContinuousClock.Instant, date: @escaping @Sendable () -> Date,
        sleep: @escaping @Sendable (_ deadline: ContinuousClock.Instant) async throws -> Void
    ) {
        self.now = now
        self.date = date
        self.sleep = sleep
    }

    /// The real clock.
    public static let continuous = DaemonClock(
        now: { ContinuousClock.now }, date: { Date() }, sleep: { try await Task.sleep(until: $0, clock: .continuous) })

    /// `date` expressed on the `now` time line (for a deadline set by a wall-clock date).
    func instant(at date: Date) -> ContinuousClock.Instant {
        now() + .milliseconds(Int64((date.timeIntervalSince(self.date()) * 1000).rounded(.up)))
    }
}
