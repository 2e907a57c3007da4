import Foundation
import XCTest

/// The output folder is herd's alone (refused when it holds anything else, locked against a second daemon), every
/// failure the daemon keeps retrying is shown by `herd status`, and a recluster request survives a kill mid-retrain.
final class OutputAndRequestsEndToEndTests: XCTestCase {
    func testInitRefusesAnOutputThatIsNotEmptyAndNotHerdsAndSaysSoInJSON() throws {
        let herd = try HerdHarness()
        defer { herd.remove() }
        let foreign = herd.root + "/documents"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        try Data("taxes".utf8).write(to: URL(fileURLWithPath: foreign + "/2023.txt"))
        let refused = try herd.run(["init", herd.library, "--output", foreign, "--model", "byte-histogram-64"])
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("not empty and was not made by herd"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: herd.root + "/config/herd/config.toml"), "no configuration written")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: foreign), ["2023.txt"], "nothing written into it")

        let json = try herd.run(["init", herd.library, "--output", foreign, "--model", "byte-histogram-64", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let error = object?["error"] as? [String: Any]
        XCTAssertEqual(error?["status"] as? Int, 2, json.stdout)
        XCTAssertTrue((error?["message"] as? String)?.contains("not made by herd") == true, json.stdout)

        // A new folder, an empty one and herd's own output are all fine.
        try herd.initialise()
        XCTAssertTrue(FileManager.default.fileExists(atPath: herd.output + "/.herd-output"), "init marks the output as herd's")
        let again = try herd.run(["init", herd.library, "--output", herd.output, "--model", "byte-histogram-64", "--force"])
        XCTAssertEqual(again.status, 0, again.stderr)
    }

    func testStatusShowsAFailedReloadAndFailingUpkeepAndASecondDaemonIsRefusedTheOutput() throws {
        let herd = try HerdHarness()
        defer { herd.remove() }
        let photos = try HerdHarness.clothingPhotos()
        try herd.copy(Array(photos[0 ..< 8]), to: "2023")
        try herd.initialise()
        let daemon = try herd.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        XCTAssertTrue(herd.waitUntil(timeout: 60) { herd.links().count == 8 }, herd.daemonLog)

        // A second daemon with its own catalogue but the same output is refused, and says why.
        let other = try herd.run(["run", "--catalog", herd.root + "/other.sqlite"])
        XCTAssertNotEqual(other.status, 0)
        XCTAssertTrue(other.stderr.contains("keeps its cluster folders in this output folder"), other.stderr)

        // A reload naming a foreign output is refused; status shows it until a good reload.
        let config = herd.root + "/config/herd/config.toml"
        let good = try String(contentsOfFile: config, encoding: .utf8)
        let foreign = herd.root + "/documents"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: foreign + "/notes.txt"))
        try good.replacingOccurrences(of: herd.output, with: foreign).write(toFile: config, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        XCTAssertTrue(herd.waitUntil(timeout: 15) { (try herd.health()["reloadError"] as? String)?.contains("not made by herd") == true }, herd.daemonLog)
        let human = try herd.run(["status"])
        XCTAssertTrue(human.stdout.contains("configuration reload failed"), human.stdout)
        try good.write(toFile: config, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        XCTAssertTrue(herd.waitUntil(timeout: 15) { try herd.health()["reloadError"] == nil }, herd.daemonLog)

        // Someone else's file in the output, and herd's marker gone: upkeep fails, and status says so.
        try FileManager.default.removeItem(atPath: herd.output + "/.herd-output")
        try Data("mine".utf8).write(to: URL(fileURLWithPath: herd.output + "/mine.txt"))
        try herd.copy([photos[50]], to: "2024")
        XCTAssertTrue(herd.waitUntil(timeout: 30) { (try herd.health()["upkeepError"] as? String)?.contains("not made by herd") == true }, herd.daemonLog)
        herd.stop(daemon)
    }

    func testReclusterRequestSurvivesAKillMidRetrain() throws {
        let herd = try HerdHarness()
        defer { herd.remove() }
        try herd.copy(try HerdHarness.clothingPhotos(), to: "all")
        try herd.initialise()
        let first = try herd.start(["run"])
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        XCTAssertTrue(herd.waitUntil(timeout: 120) { try Self.lastRetrain(herd)?["reason"] as? String == "first" }, herd.daemonLog)
        herd.stop(first)

        // A daemon whose retrain takes far longer than the test: asked to recluster, it is killed mid-retrain.
        let slow = try herd.start(["run"], environment: ["HERD_TRAIN_STEPS": "100000000"])
        defer { if slow.isRunning { kill(slow.processIdentifier, SIGKILL) } }
        XCTAssertTrue(herd.waitUntil(timeout: 30) { (try herd.status()["daemon"] as? [String: Any])?["running"] as? Bool == true }, herd.daemonLog)
        let asked = try herd.run(["recluster", "--json"])
        XCTAssertEqual(asked.status, 0, asked.stderr)
        XCTAssertTrue(herd.waitUntil(timeout: 30) { ((try herd.status()["daemon"] as? [String: Any])?["phase"] as? String)?.contains("retraining") == true }, herd.daemonLog)
        kill(slow.processIdentifier, SIGKILL)
        slow.waitUntilExit()
        XCTAssertEqual(try Self.lastRetrain(herd)?["reason"] as? String, "first", "the killed retrain committed nothing")

        // The next start carries the request out.
        let resumed = try herd.start(["run"])
        defer { if resumed.isRunning { kill(resumed.processIdentifier, SIGKILL) } }
        XCTAssertTrue(herd.waitUntil(timeout: 120) { try Self.lastRetrain(herd)?["reason"] as? String == "requested" }, herd.daemonLog)
        herd.stop(resumed)
    }

    static func lastRetrain(_ herd: HerdHarness) throws -> [String: Any]? {
        try herd.status()["lastRetrain"] as? [String: Any]
    }
}
