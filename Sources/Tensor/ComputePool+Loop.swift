import Foundation
import Synchronization

extension ComputePool {
    /// Calls `body(item, worker)` once for every item in 0..<count and returns when all are done. Items are
    /// handed out one at a time, so a thread slowed by other load takes fewer of them. `worker` in
    /// 0..<min(threads, count) is unique among the threads running this loop at once: an index into
    /// per-worker scratch memory.
    ///
    /// The caller takes items itself, and queues at most `threads − 1` helper jobs; it waits only for
    /// helpers that started (one that starts after the items ran out does nothing), so a loop nested in a
    /// job or item of the same pool cannot deadlock. A `background` pool called from a thread not its own
    /// runs every item on its threads (the caller waits), so no item runs at the caller's priority.
    public func forEach(_ count: Int, _ body: (_ item: Int, _ worker: Int) -> Void) {
        guard count > 0 else { return }
        let callerTakesPart = !background || queue.isCurrentThreadMember
        let helpers = min(threads, count) - (callerTakesPart ? 1 : 0)
        if helpers == 0 {
            for item in 0..<count { body(item, 0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let loop = ParallelLoop(count: count, body: body, firstHelperSlot: callerTakesPart ? 1 : 0)
            queue.enqueue([() -> Void](repeating: { loop.help() }, count: helpers))
            if callerTakesPart {
                loop.takeItems(body, slot: 0)
                loop.close()
            } else {
                loop.waitForAllItems()
            }
        }
    }
}

/// One call of `forEach`: the item counter, the body, and who is working on it.
/// `@unchecked Sendable`: `body`, `nextSlot`, `active` and `closed` are only touched with `condition`
/// locked (a helper reads `body` after joining, while `close` cannot yet clear it); items are claimed
/// through the atomic counter, each exactly once.
final class ParallelLoop: @unchecked Sendable {
    private let condition = NSCondition()
    private let next = Atomic<Int>(0)
    private let count: Int
    private var body: ((Int, Int) -> Void)?
    private var nextSlot: Int
    private var active = 0
    private var closed = false
    /// `active`, readable without the lock: the caller yields while helpers finish rather than sleep at once.
    private let running = Atomic<Int>(0)

    init(count: Int, body: @escaping (Int, Int) -> Void, firstHelperSlot: Int) {
        self.count = count
        self.body = body
        self.nextSlot = firstHelperSlot
    }

    /// A helper job: joins unless the loop is closed or out of items, then takes items until none are left.
    func help() {
        guard let slot = join() else { return }
        takeItems(slot: slot)
        leave()
    }

    /// A joined helper's share; its reference to `body` ends with this call, before `leave`, so that
    /// nothing holds the caller's closure once `forEach` returns.
    private func takeItems(slot: Int) {
        guard let body else { return }
        takeItems(body, slot: slot)
    }

    /// Claims and runs items until the counter passes the end.
    func takeItems(_ body: (Int, Int) -> Void, slot: Int) {
        while true {
            let item = next.wrappingAdd(1, ordering: .relaxed).oldValue
            if item >= count { return }
            body(item, slot)
        }
    }

    /// The caller is out of items: no helper may join any more; waits for those still running theirs.
    func close() {
        condition.lock()
        closed = true
        condition.unlock()
        yieldWhile { running.load(ordering: .acquiring) > 0 }
        condition.lock()
        while active > 0 { condition.wait() }
        body = nil
        condition.unlock()
    }

    /// For a caller that takes no part: waits until every item was claimed and every helper has left.
    func waitForAllItems() {
        condition.lock()
        while active > 0 || next.load(ordering: .relaxed) < count { condition.wait() }
        closed = true
        body = nil
        condition.unlock()
    }

    private func join() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        guard !closed, next.load(ordering: .relaxed) < count else { return nil }
        active += 1
        running.add(1, ordering: .relaxed)
        nextSlot += 1
        return nextSlot - 1
    }

    private func leave() {
        condition.lock()
        active -= 1
        running.subtract(1, ordering: .releasing)
        if active == 0 { condition.broadcast() }
        condition.unlock()
    }
}
