import Foundation

/// herd's one way to run CPU-bound work in parallel: a fixed number of dedicated threads (never Swift's
/// cooperative pool, never GCD's), offering a blocking parallel loop (`forEach`) for numeric code and
/// async jobs (`run`, `map`) for the daemon's services. A `background` pool's threads run at nice 19,
/// `SCHED_IDLE` and idle I/O priority, so they only take CPU time and disk bandwidth nothing else wants.
///
/// Threads start on first use (a pool that only ever runs loops of one worker starts none) and end once
/// the pool is released and its queued jobs are done. Loops nest: a loop called from inside a job or a
/// loop item of the same pool has its caller take items itself, and never waits for a helper that has
/// not started, so a pool whose threads are all busy runs the inner loop on the caller alone.
///
/// OpenBLAS runs single-threaded in herd (`Gemm`): the pool's threads are the only parallelism.
public final class ComputePool: @unchecked Sendable {
    // @unchecked: all mutable state lives in `queue`, behind its lock.
    /// Most threads one loop or the job queue uses (at least 1).
    public let threads: Int
    /// Whether the threads run at idle priority (nice 19, `SCHED_IDLE`, idle I/O class).
    public let background: Bool
    /// Thread names are `name.0`, `name.1`, … (`ps -L`, `/proc/PID/task/TID/comm`; at most 15 bytes show).
    public let name: String
    let queue: JobQueue

    /// A pool of `threads` threads (at least 1); `background` threads run at idle CPU and I/O priority.
    public init(threads: Int, name: String = "herd.compute", background: Bool = false) {
        self.threads = max(1, threads)
        self.background = background
        self.name = name
        self.queue = JobQueue(limit: self.threads, name: name, background: background)
    }

    /// A pool that runs every loop on its caller, one item after another: the default of library calls
    /// that were handed no pool. Its `run` jobs still go to a thread of their own.
    public static func serial() -> ComputePool { ComputePool(threads: 1, name: "herd.serial") }

    deinit { queue.stop() }

    /// Kernel thread ids of the threads started so far (`/proc/self/task/TID`), in start order.
    public var threadIDs: [Int32] { queue.threadIDs }

    /// Whether the calling thread is one of this pool's.
    public var isCurrentThreadMember: Bool { queue.isCurrentThreadMember }

    /// Runs `body` on one of the pool's threads and returns its result; the caller suspends meanwhile.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            queue.enqueue([{ continuation.resume(with: Result { try body() }) }])
        }
    }

    /// Runs `body` for each element on the pool's threads; results in input order. The first error thrown is
    /// rethrown once every job has ended.
    public func map<E: Sendable, T: Sendable>(_ elements: [E], _ body: @escaping @Sendable (E) throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            for (index, element) in elements.enumerated() {
                group.addTask { (index, try await self.run { try body(element) }) }
            }
            var results = [T?](repeating: nil, count: elements.count)
            for try await (index, value) in group { results[index] = value }
            return results.compactMap { $0 }
        }
    }
}
