import CSystem
import Foundation

/// A fixed set of dedicated threads for CPU- and I/O-bound work (hashing, decoding, the encoder), so that it never
/// occupies Swift's cooperative pool. Jobs queue in order; `run` suspends the caller until its job is done.
public final class WorkerThreads: @unchecked Sendable {
    // @unchecked: `jobs` and `stopping` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var stopping = false
    private var running = 0

    /// Number of threads.
    public let count: Int

    /// Starts `count` threads (at least one); `background` threads run at nice 19 with idle CPU and I/O scheduling.
    public init(count: Int, name: String = "herd.worker", background: Bool = false) {
        self.count = max(1, count)
        for index in 0 ..< self.count {
            let thread = Thread { [self] in
                if background { _ = herd_background_thread() }
                self.loop()
            }
            thread.name = "\(name).\(index)"
            thread.start()
        }
    }

    /// Runs `body` on a worker thread and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            enqueue { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Runs `body` for each element on the worker threads; results in input order.
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

    /// Lets queued jobs finish, then ends the threads; jobs enqueued later still run on the caller's thread.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func enqueue(_ job: @escaping () -> Void) {
        condition.lock()
        if stopping {
            condition.unlock()
            job()
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            running += 1
            condition.unlock()
            job()
            condition.lock()
            running -= 1
            condition.unlock()
        }
    }
}
