import Catalog
import Daemon
import Foundation
import HerdTestSupport
import XCTest

final class DaemonServiceTests: XCTestCase {
    func testNotifierSpeaksTheDatagramProtocolToPathAndAbstractSockets() throws {
        let folder = try TemporaryFolder("herd-notify")
        defer { folder.remove() }
        for name in [folder.path + "/notify.sock", "@herd-test-\(UUID().uuidString.prefix(8))"] {
            let listener = try DatagramListener(name: name)
            let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": name, "WATCHDOG_USEC": "2000000"])
            XCTAssertEqual(notifier.watchdogInterval, .seconds(1))
            try notifier.send("READY=1\nSTATUS=scanning")
            XCTAssertEqual(listener.receive(timeout: 5) { !$0.isEmpty }, ["READY=1\nSTATUS=scanning"])
        }
        XCTAssertFalse(SystemdNotifier(environment: [:]).isEnabled)
        XCTAssertNil(SystemdNotifier(environment: ["WATCHDOG_USEC": "10", "WATCHDOG_PID": "1"], pid: 2).watchdogInterval, "another process's watchdog")
        XCTAssertThrowsError(try SystemdNotifier(environment: ["NOTIFY_SOCKET": folder.path + "/absent.sock"]).send("READY=1")) { error in
            XCTAssertTrue("\(error)".contains("sendto"), "\(error)")
        }
    }

    /// The daemon in-process with a file-event source the test controls: a lost event queue leads to a rescan that
    /// finds what no event announced, and both it and a watch limit are shown in the run's status.
    func testOverflowRescansAndWatchLimitIsShownInStatus() async throws {
        let fixture = try LibraryFixture()
        defer { fixture.remove() }
        try fixture.copy(try LibraryFixture.photos("skirt", count: 3), to: "x")
        let (task, continuation) = try Self.start(fixture, debounceMilliseconds: 50, clock: .continuous)
        defer { task.cancel() }
        func reader() throws -> Catalog { try Catalog.openForReading(path: fixture.catalogPath) }
        let model = FeatureExtractor.byteHistogramModelID
        let embeddedAtStart = await eventually { try reader().counts(modelID: model).embedded == 3 }
        XCTAssertTrue(embeddedAtStart)

        // Files arrive with no event (the queue overflowed): nothing happens until the overflow is reported.
        try fixture.copy(try LibraryFixture.photos("skirt", count: 5).suffix(2), to: "y")
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(try reader().counts(modelID: model).files, 3)
        continuation.yield([.overflow])
        let rescanned = await eventually { try reader().counts(modelID: model).embedded == 5 }
        XCTAssertTrue(rescanned)
        XCTAssertNotNil(try reader().latestEvent(kind: "overflow"))
        continuation.yield([.watchLimit("inotify watch limit reached (fs.inotify.max_user_watches = 8192)")])
        let noted = await eventually { try reader().latestRun()?.watchNote?.contains("max_user_watches") == true }
        XCTAssertTrue(noted)

        task.cancel()
        _ = try? await task.value
    }

    /// The debounce and the heartbeat run on the injected clock: files announced by events wait until the clock passes
    /// the quiet period, however long the test waits in real time, and an idle daemon writes its heartbeat only when
    /// the slow heartbeat interval has passed on that clock.
    func testDebounceAndHeartbeatFollowTheInjectedClock() async throws {
        let fixture = try LibraryFixture()
        defer { fixture.remove() }
        try fixture.copy(try LibraryFixture.photos("skirt", count: 3), to: "x")
        let time = ManualClock()
        let (task, continuation) = try Self.start(fixture, debounceMilliseconds: 60_000, clock: time.clock)
        defer { task.cancel() }
        func reader() throws -> Catalog { try Catalog.openForReading(path: fixture.catalogPath) }
        let model = FeatureExtractor.byteHistogramModelID
        let embeddedAtStart = await eventually { try reader().counts(modelID: model).embedded == 3 }
        XCTAssertTrue(embeddedAtStart)
        // A changed status is written at most once a second on the daemon's clock: the clock moves on while the test
        // waits, since the last change may come after any one advance.
        let watching = await eventually(seconds: 60) {
            time.advance(by: .milliseconds(100))
            return try reader().latestRun()?.phase == "watching"
        }
        XCTAssertTrue(watching)

        // New files are announced; a minute's quiet has not passed on the daemon's clock, so nothing is read yet.
        let added = try fixture.copy(try LibraryFixture.photos("skirt", count: 5).suffix(2), to: "y")
        continuation.yield(added.map { .changed($0) })
        try await Task.sleep(for: .milliseconds(500))
        time.advance(by: .seconds(50))
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertEqual(try reader().counts(modelID: model).files, 3, "reconciled before the quiet period passed")
        time.advance(by: .seconds(11))
        let reconciled = await eventually(seconds: 60) { try reader().counts(modelID: model).embedded == 5 }
        XCTAssertTrue(reconciled)

        // Idle: the heartbeat is written again only once 30 s have passed on the clock.
        let settled = await eventually(seconds: 60) {
            time.advance(by: .milliseconds(100))
            return try reader().latestRun()?.phase == "watching"
        }
        XCTAssertTrue(settled)
        // The first retrain (these few photos) may flip the status twice within a second: let those writes through.
        for _ in 0 ..< 2 {
            try await Task.sleep(for: .milliseconds(700))
            time.advance(by: .seconds(1))
        }
        try await Task.sleep(for: .milliseconds(700))
        // Start from a heartbeat just written (the waits above moved the clock by an unknown few seconds).
        let earlier = try reader().latestRun()?.heartbeatAt
        time.advance(by: .seconds(31))
        let fresh = await eventually { try reader().latestRun()?.heartbeatAt != earlier }
        XCTAssertTrue(fresh, "no heartbeat after 31 s on the daemon's clock")
        try await Task.sleep(for: .milliseconds(500))
        let before = try XCTUnwrap(reader().latestRun()?.heartbeatAt)
        time.advance(by: .seconds(5))
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertEqual(try reader().latestRun()?.heartbeatAt, before, "a heartbeat before its interval")
        time.advance(by: .seconds(30))
        let beat = await eventually { try reader().latestRun()?.heartbeatAt != before }
        XCTAssertTrue(beat, "no heartbeat after 30 s on the daemon's clock")

        task.cancel()
        _ = try? await task.value
    }

    /// The daemon in-process over `fixture`'s library, with a file-event source the test feeds through the continuation.
    static func start(
        _ fixture: LibraryFixture, debounceMilliseconds: Int, clock: DaemonClock
    ) throws -> (Task<Void, any Error>, AsyncStream<[FileEvent]>.Continuation) {
        let (events, continuation) = AsyncStream.makeStream(of: [FileEvent].self)
        let source = FileEventSource(watch: { _ in }, unwatchAll: { _ in }, events: events, stop: { continuation.finish() })
        let paths = HerdPaths(environment: ["HOME": fixture.folder.path], catalog: fixture.catalogPath)
        let configuration = try HerdConfiguration(
            libraries: [fixture.library], output: fixture.output, debounceMilliseconds: debounceMilliseconds).validated()
        let daemon = HerdDaemon(
            configuration: configuration, paths: paths,
            dependencies: DaemonDependencies(
                extractor: .byteHistogram(), inspector: .imaging(), makeFileEvents: { source }, environment: [:], clock: clock),
            logger: .test)
        return (Task { try await daemon.run() }, continuation)
    }

    /// Whether `condition` holds within 10 s.
    private func eventually(seconds: Int = 10, _ condition: () throws -> Bool) async -> Bool {
        for _ in 0 ..< seconds * 20 {
            if (try? condition()) == true { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
