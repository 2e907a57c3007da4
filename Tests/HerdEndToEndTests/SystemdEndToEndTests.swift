import Foundation
import HerdTestSupport
import XCTest

/// `herd run` under a stand-in for systemd: sd_notify datagrams, SIGHUP reload, SIGTERM stop; and the CLI's refusals.
final class SystemdEndToEndTests: XCTestCase {
    func testNotifiesReadyStatusWatchdogReloadsOnSIGHUPAndStopsOnSIGTERM() throws {
        let herd = try HerdHarness()
        defer { herd.remove() }
        let photos = try HerdHarness.clothingPhotos()
        try herd.copy(Array(photos[0 ..< 4]), to: "a")
        try herd.initialise()
        let socketPath = herd.root + "/notify.sock"
        let listener = try DatagramListener(name: socketPath)
        // --precision overrides the file (precision = "auto") for the whole run, reloads included.
        let daemon = try herd.start(["run", "--precision", "fp32"], environment: ["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "300000"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        let messages = listener.receive(timeout: 20) { all in
            all.contains { $0.contains("READY=1") } && all.contains { $0.contains("WATCHDOG=1") }
                && all.contains { $0.contains("STATUS=watching") }
        }
        XCTAssertTrue(messages.contains { $0.hasPrefix("READY=1") }, "\(messages)")
        XCTAssertTrue(messages.contains { $0 == "WATCHDOG=1" }, "\(messages)")
        XCTAssertTrue(messages.contains { $0.contains("STATUS=") }, "\(messages)")

        // A second library added to the file, then SIGHUP: its photos are catalogued without a restart.
        let second = herd.root + "/More"
        try FileManager.default.createDirectory(atPath: second, withIntermediateDirectories: true)
        for photo in photos[50 ..< 53] {
            try FileManager.default.copyItem(atPath: photo, toPath: second + "/" + (photo as NSString).lastPathComponent)
        }
        let config = herd.root + "/config/herd/config.toml"
        let text = try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "libraries = [ '\(herd.library)' ]", with: "libraries = [ '\(herd.library)', '\(second)' ]")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        XCTAssertTrue(text.contains(second), text)
        XCTAssertTrue(herd.waitUntil { try herd.count("embedded") == 4 }, herd.daemonLog)
        kill(daemon.processIdentifier, SIGHUP)
        XCTAssertTrue(herd.waitUntil(timeout: 20) { try herd.count("embedded") == 7 }, herd.daemonLog)
        XCTAssertFalse(herd.daemonLog.contains("takes effect after a restart"), "nothing the encoder uses changed: \(herd.daemonLog)")

        // Another model in the file: the running encoder stays, and the log says a restart is needed.
        try text.replacingOccurrences(of: "model = ", with: "model = 'another-model'\n#").write(toFile: config, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        XCTAssertTrue(herd.waitUntil(timeout: 20) { herd.daemonLog.contains("a new model takes effect after a restart") }, herd.daemonLog)
        XCTAssertFalse(herd.daemonLog.contains("a new encoder precision"), herd.daemonLog)

        daemon.terminate()
        let stopping = listener.receive(timeout: 10) { all in all.contains { $0.contains("STOPPING=1") } }
        daemon.waitUntilExit()
        XCTAssertEqual(daemon.terminationStatus, 0, herd.daemonLog)
        XCTAssertTrue(stopping.contains { $0.contains("STOPPING=1") }, "\(stopping)")
    }

    func testCLIExplainsMissingAndNewerCataloguesAndListsFailures() throws {
        let herd = try HerdHarness()
        defer { herd.remove() }
        var result = try herd.run(["status"])
        XCTAssertEqual(result.status, 3)
        XCTAssertTrue(result.stderr.contains("herd run"), result.stderr)
        result = try herd.run(["init", herd.library, "--output", herd.library + "/herds"])
        XCTAssertEqual(result.status, 2, "an output inside the library is a usage error")
        XCTAssertTrue(result.stderr.contains("inside library"), result.stderr)

        let photos = try HerdHarness.clothingPhotos()
        try herd.copy(Array(photos[0 ..< 3]), to: "ok")
        try herd.copy([HerdBinary.sharedData + "/robustness/jpeg-malformed/missing-sof.jpg"], to: "bad")
        try herd.initialise()
        result = try herd.run(["scan", "--json"])
        XCTAssertEqual(result.status, 1, "some files failed: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("herd files --failed"), result.stderr)
        XCTAssertEqual(try herd.files(["--failed"]).map(\.path), [herd.library + "/bad/missing-sof.jpg"])
        XCTAssertEqual(try herd.files(["--path", "ok/*"]).count, 3)
        XCTAssertEqual(try herd.run(["files", "--taken-after", "yesterday"]).status, 2)
        result = try herd.run(["status"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("embedded      3"), result.stdout)

        // A catalogue from a newer herd is refused with a message naming it.
        let catalog = herd.root + "/data/herd/catalog.sqlite"
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO grdb_migrations VALUES ('v99-future')\"); c.commit()", catalog]
        try sqlite.run()
        sqlite.waitUntilExit()
        try XCTSkipIf(sqlite.terminationStatus != 0, "python3's sqlite3 is needed to fake a newer catalogue")
        result = try herd.run(["status"])
        XCTAssertEqual(result.status, 3)
        XCTAssertTrue(result.stderr.contains("newer herd") && result.stderr.contains(catalog), result.stderr)
    }
}
