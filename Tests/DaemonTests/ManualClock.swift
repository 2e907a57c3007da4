import Daemon
import Foundation
import Synchronization

/// A clock that moves only when the test says so: sleepers wake when `advance(by:)` passes their deadline.
final class ManualClock: Sendable {
    private struct Sleeper {
        let id: Int
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = ContinuousClock.now
        var sleepers: [Sleeper] = []
        var nextID = 0
    }

    private let state = Mutex(State())
    private let startDate = Date()
    private let start: ContinuousClock.Instant

    init() {
        start = state.withLock { $0.now }
    }

    /// The daemon's view of this clock.
    var clock: DaemonClock {
        DaemonClock(
            now: { [self] in state.withLock { $0.now } },
            date: { [self] in startDate.addingTimeInterval(state.withLock { $0.now - start }.inSeconds) },
            sleep: { [self] deadline in try await sleep(until: deadline) })
    }

    /// How many tasks are asleep on the clock.
    var sleepers: Int { state.withLock { $0.sleepers.count } }

    /// Moves time on by `duration`, waking every sleeper whose deadline passed.
    func advance(by duration: Duration) {
        let due = state.withLock { s -> [Sleeper] in
            s.now += duration
            let due = s.sleepers.filter { $0.deadline <= s.now }
            s.sleepers.removeAll { $0.deadline <= s.now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    private func sleep(until deadline: ContinuousClock.Instant) async throws {
        let id = state.withLock { s in
            defer { s.nextID += 1 }
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { s -> Result<Void, any Error>? in
                    if deadline <= s.now { return .success(()) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let sleeper = state.withLock { s -> Sleeper? in
                guard let i = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: i)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }
}

extension Duration {
    fileprivate var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
