import Synchronization

/// A typed channel from the services that make changes to the one that acts on them. Values sent while the receiver
/// is busy are merged into one (`merge`), so a burst never queues up; the receiver sleeps until something arrives, its
/// deadline passes, or it is interrupted (graceful shutdown). One receiver per channel.
final class EventChannel<Value: Sendable>: Sendable {
    private struct State {
        var pending: Value?
        var waiter: CheckedContinuation<Value?, Never>?
        var interrupted = false
    }

    private let state = Mutex(State())
    private let merge: @Sendable (Value, Value) -> Value

    /// A channel whose unread values are combined by `merge` (older first).
    init(merge: @escaping @Sendable (Value, Value) -> Value) {
        self.merge = merge
    }

    /// Hands `value` to the receiver, or merges it into what it has not read yet.
    func send(_ value: Value) {
        let delivery = state.withLock { s -> (CheckedContinuation<Value?, Never>, Value)? in
            let merged = s.pending.map { merge($0, value) } ?? value
            if let waiter = s.waiter {
                s.waiter = nil
                s.pending = nil
                return (waiter, merged)
            }
            s.pending = merged
            return nil
        }
        if let (waiter, value) = delivery { waiter.resume(returning: value) }
    }

    /// Wakes the receiver with nothing (it looks at its deadlines and at shutdown); a receiver not waiting now returns
    /// at once from its next wait.
    func interrupt() {
        let waiter = state.withLock { s -> CheckedContinuation<Value?, Never>? in
            defer { s.waiter = nil }
            if s.waiter == nil { s.interrupted = true }
            return s.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Everything sent since the last call, merged; nil when `deadline` passed on `clock` first, the wait was
    /// interrupted, or the task was cancelled.
    func next(until deadline: ContinuousClock.Instant?, clock: DaemonClock) async -> Value? {
        await withTaskGroup(of: Void.self) { group in
            if let deadline {
                group.addTask { [self] in
                    if (try? await clock.sleep(deadline)) != nil { interrupt() }
                }
            }
            let value = await withTaskCancellationHandler {
                await withCheckedContinuation { (waiter: CheckedContinuation<Value?, Never>) in
                    let ready = state.withLock { s -> Value?? in
                        if let pending = s.pending {
                            s.pending = nil
                            return .some(pending)
                        }
                        if s.interrupted || Task.isCancelled {
                            s.interrupted = false
                            return .some(nil)
                        }
                        s.waiter = waiter
                        return nil
                    }
                    if let ready { waiter.resume(returning: ready) }
                }
            } onCancel: {
                interrupt()
            }
            group.cancelAll()
            return value
        }
    }
}

extension EventChannel where Value == Void {
    /// A channel that only says "something changed".
    convenience init() { self.init(merge: { _, _ in }) }
}
