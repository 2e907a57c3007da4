@testable import Encoder
import Synchronization
import XCTest

final class ComputePoolTests: XCTestCase {
    func testEveryItemRunsOnceOnAValidWorker() {
        for threads in [1, 2, 5] {
            let pool = ComputePool(threads: threads)
            let seen = Mutex([Int](repeating: 0, count: 100))
            let badWorker = Atomic<Bool>(false)
            pool.forEach(100) { item, worker in
                if worker < 0 || worker >= threads { badWorker.store(true, ordering: .relaxed) }
                seen.withLock { $0[item] += 1 }
            }
            XCTAssertEqual(seen.withLock { $0 }, [Int](repeating: 1, count: 100), "threads \(threads)")
            XCTAssertFalse(badWorker.load(ordering: .relaxed))
        }
    }

    func testEmptyLoopReturns() {
        ComputePool(threads: 4).forEach(0) { _, _ in XCTFail("no items to run") }
    }
}
