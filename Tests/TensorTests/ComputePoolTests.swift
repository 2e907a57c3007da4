import HerdTestSupport
import Synchronization
import Tensor
import XCTest

final class ComputePoolTests: XCTestCase {
    /// The loop against its naive twin (a plain for loop): every item once, each with a worker slot that no
    /// other thread uses at the same time.
    func testEveryItemRunsOnceOnAValidWorkerAsTheSerialLoop() {
        for threads in [1, 2, 5] {
            for count in [0, 1, 3, 1000] {
                let pool = ComputePool(threads: threads)
                var expected = [Int](repeating: 0, count: count)
                for item in 0..<count { expected[item] = item &* 2_654_435_761 % 1_000_003 }
                let seen = Mutex([Int](repeating: 0, count: count))
                let values = Mutex([Int](repeating: -1, count: count))
                let inUse = Mutex([Bool](repeating: false, count: threads))
                let problems = Atomic<Int>(0)
                pool.forEach(count) { item, worker in
                    guard worker >= 0, worker < min(threads, count) else {
                        problems.add(1, ordering: .relaxed)
                        return
                    }
                    let shared = inUse.withLock { slots in
                        defer { slots[worker] = true }
                        return slots[worker]
                    }
                    if shared { problems.add(1, ordering: .relaxed) }
                    let value = item &* 2_654_435_761 % 1_000_003
                    seen.withLock { $0[item] += 1 }
                    values.withLock { $0[item] = value }
                    inUse.withLock { $0[worker] = false }
                }
                XCTAssertEqual(seen.withLock { $0 }, [Int](repeating: 1, count: count), "threads \(threads), count \(count)")
                XCTAssertEqual(values.withLock { $0 }, expected, "threads \(threads), count \(count)")
                XCTAssertEqual(problems.load(ordering: .relaxed), 0, "a worker slot out of range or shared, threads \(threads)")
            }
        }
    }

    /// Loops inside jobs and inside loop items of the same pool, with every thread busy: they finish.
    func testNestedLoopsFinishWhenEveryThreadIsBusy() {
        let pool = ComputePool(threads: 2)
        let total = Counter()
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<3 {
            Task.detached {
                _ = try? await pool.run {
                    pool.forEach(20) { _, _ in
                        pool.forEach(10) { _, _ in total.value.add(1, ordering: .relaxed) }
                    }
                }
                done.signal()
            }
        }
        for job in 0..<3 {
            XCTAssertEqual(done.wait(timeout: .now() + 60), .success, "job \(job) of 3 still waiting: a deadlock")
        }
        XCTAssertEqual(total.value.load(ordering: .relaxed), 3 * 20 * 10)
    }

    /// Every item of a background pool's loop runs at nice 19 and SCHED_IDLE, also when the loop is called from
    /// a normal thread, and so do the pool's threads; a normal pool's threads keep the process's priority.
    func testBackgroundPoolRunsEveryItemAtIdlePriority() async throws {
        let caller = try XCTUnwrap(ThreadScheduling.current())
        XCTAssertFalse(caller.isBackground, "the test runner itself is at idle priority: nothing to compare")
        let pool = ComputePool(threads: 2, name: "test.idle", background: true)
        let seen = Mutex<[ThreadScheduling?]>([])
        pool.forEach(64) { _, _ in
            let now = ThreadScheduling.current()
            seen.withLock { $0.append(now) }
        }
        let inJob = try await pool.run {
            let nested = Mutex<[String]>([])
            pool.forEach(16) { _, _ in
                let now = ThreadScheduling.current()?.description ?? "unreadable"
                nested.withLock { $0.append(now) }
            }
            return nested.withLock { $0 }
        }
        let all = seen.withLock { $0 }
        XCTAssertEqual(all.count, 64)
        XCTAssertTrue(all.allSatisfy { $0?.isBackground == true }, "\(all)")
        XCTAssertEqual(Set(inJob), ["nice 19, policy 5"])
        XCTAssertFalse(pool.threadIDs.isEmpty)
        for tid in pool.threadIDs {
            XCTAssertEqual(ThreadScheduling.of(tid: tid)?.isBackground, true, "thread \(tid)")
        }
        let normal = ComputePool(threads: 2, name: "test.normal")
        _ = try await normal.run { 0 }
        for tid in normal.threadIDs {
            XCTAssertEqual(ThreadScheduling.of(tid: tid), caller, "thread \(tid)")
        }
    }

    /// Threads are named after the pool and started only when needed: a one-thread pool's loops start none.
    func testThreadsStartOnDemandWithThePoolsName() async throws {
        let pool = ComputePool(threads: 3, name: "test.named")
        pool.forEach(0) { _, _ in XCTFail("no items to run") }
        XCTAssertEqual(ComputePool.serial().threadIDs, [])
        let serial = ComputePool(threads: 1)
        serial.forEach(100) { _, worker in XCTAssertEqual(worker, 0) }
        XCTAssertEqual(serial.threadIDs, [])
        let onPool = try await pool.run { pool.isCurrentThreadMember }
        XCTAssertTrue(onPool)
        XCTAssertFalse(pool.isCurrentThreadMember)
        let names = ThreadScheduling.threads(ofProcess: getpid())
        for tid in pool.threadIDs {
            XCTAssertEqual(names.first { $0.tid == tid }?.name.hasPrefix("test.named."), true, "\(names)")
        }
    }

    /// `map` keeps the input order; an error thrown by a job reaches the caller.
    func testMapKeepsOrderAndRethrows() async throws {
        let pool = ComputePool(threads: 3)
        let squares = try await pool.map(Array(0..<50)) { $0 * $0 }
        XCTAssertEqual(squares, (0..<50).map { $0 * $0 })
        struct Failure: Error {}
        do {
            _ = try await pool.map([1, 2, 3]) { value -> Int in
                if value == 2 { throw Failure() }
                return value
            }
            XCTFail("the error was lost")
        } catch is Failure {}
    }

    /// A released pool's threads end once their jobs are done.
    func testReleasedPoolEndsItsThreads() async throws {
        var pool: ComputePool? = ComputePool(threads: 2, name: "test.ending")
        _ = try await pool?.map([1, 2, 3, 4]) { $0 }
        let tids = pool?.threadIDs ?? []
        XCTAssertFalse(tids.isEmpty)
        pool = nil
        let deadline = Date().addingTimeInterval(30)
        while tids.contains(where: { ThreadScheduling.of(tid: $0) != nil }) && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertTrue(tids.allSatisfy { ThreadScheduling.of(tid: $0) == nil }, "threads still running: \(tids)")
    }
}

/// A count shared with detached tasks.
private final class Counter: Sendable {
    let value = Atomic<Int>(0)
}
