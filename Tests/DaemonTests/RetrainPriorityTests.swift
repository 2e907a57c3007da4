import Catalog
import Daemon
import Foundation
import HerdTestSupport
import XCTest

/// The threads of a running daemon: the retrain's run at idle priority (nice 19, SCHED_IDLE) whether or not
/// systemd started the daemon; ingest's at the process's own.
final class RetrainPriorityTests: XCTestCase {
    func testRetrainThreadsOfARunningDaemonRunAtIdlePriority() async throws {
        let process = try XCTUnwrap(ThreadScheduling.current())
        XCTAssertFalse(process.isBackground, "the test runner itself is at idle priority: nothing to compare")
        let fixture = try LibraryFixture()
        defer { fixture.remove() }
        try fixture.copy(try LibraryFixture.photos("skirt", count: 8), to: "x")
        let (task, _) = try DaemonServiceTests.start(fixture, debounceMilliseconds: 50, clock: .continuous)
        defer { task.cancel() }
        func reader() throws -> Catalog { try Catalog.openForReading(path: fixture.catalogPath) }
        var retrained = false
        for _ in 0 ..< 1200 where !retrained {
            retrained = (try? reader().latestClusterRun()) != nil
            if !retrained { try await Task.sleep(for: .milliseconds(50)) }
        }
        XCTAssertTrue(retrained, "no retrain within a minute")

        // The retrain ran as a job of the daemon's background pool, and its neighbour search fanned out over a second
        // thread of that pool: both exist (idle now, the pool lives as long as the daemon) at idle priority.
        let threads = ThreadScheduling.threads(ofProcess: getpid())
        let retrain = threads.filter { $0.name.hasPrefix("herd.retrain.") }
        XCTAssertGreaterThanOrEqual(retrain.count, 2, "\(threads)")
        for thread in retrain {
            XCTAssertEqual(ThreadScheduling.of(tid: thread.tid)?.isBackground, true, "\(thread)")
        }
        let ingest = threads.filter { $0.name.hasPrefix("herd.ingest.") }
        XCTAssertFalse(ingest.isEmpty, "\(threads)")
        for thread in ingest {
            XCTAssertEqual(ThreadScheduling.of(tid: thread.tid), process, "\(thread)")
        }
        task.cancel()
        _ = try? await task.value
    }
}
