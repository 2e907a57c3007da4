import Dispatch
import Synchronization

/// Runs parallel loops on at most `threads` GCD worker threads (never the Swift cooperative pool,
/// which must not be blocked by CPU-bound work). Items are handed out one at a time, so a thread
/// slowed by other load on the machine takes fewer of them.
public struct ComputePool: Sendable {
    /// Maximum threads one loop uses.
    public let threads: Int

    /// A pool of `threads` threads (at least 1).
    public init(threads: Int) {
        self.threads = max(1, threads)
    }

    /// Calls `body(item, worker)` for every item in 0..<count; `worker` in 0..<threads identifies the
    /// calling thread's slot so it can use per-thread scratch memory. Returns when all are done.
    func forEach(_ count: Int, _ body: (_ item: Int, _ worker: Int) -> Void) {
        let workers = min(threads, count)
        if workers <= 1 {
            for i in 0..<count { body(i, 0) }
            return
        }
        let next = Atomic<Int>(0)
        withoutActuallyEscaping(body) { body in
            let box = BodyBox(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                while true {
                    let item = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if item >= count { break }
                    box.body(item, worker)
                }
            }
        }
    }
}

/// Carries a loop body into GCD's worker threads. `@unchecked Sendable`: the body only touches
/// disjoint parts of shared buffers (one item each), and `forEach` waits for all threads before
/// returning, so nothing outlives the call.
private final class BodyBox: @unchecked Sendable {
    let body: (Int, Int) -> Void
    init(_ body: @escaping (Int, Int) -> Void) { self.body = body }
}
