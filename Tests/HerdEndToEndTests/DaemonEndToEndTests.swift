import Foundation
import XCTest

/// `herd run` against a real temporary library: real inotify, real SQLite, the byte-histogram test-seam model.
final class DaemonEndToEndTests: XCTestCase {
    func testDaemonFollowsAddsEditsRenamesMovesAndDeletesWithinSeconds() throws {
        let herd = try HerdHarness()
        defer { herd.remove() }
        let photos = try HerdHarness.clothingPhotos()
        let initial = try herd.copy(Array(photos[0 ..< 10]), to: "2023")
        let robustness = HerdBinary.sharedData + "/robustness/"
        try herd.copy([robustness + "jpeg-malformed/missing-sof.jpg", robustness + "junk/Thumbs.db"], to: "broken")
        try herd.initialise()
        let daemon = try herd.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        XCTAssertTrue(herd.waitUntil { try herd.count("embedded") == 10 && herd.count("failed") == 1 }, herd.daemonLog)
        XCTAssertEqual(try herd.files(["--failed"]).map(\.error), ["corrupt JPEG: more than 1000 data errors; the first: Premature end of JPEG file"])
        let status = try herd.status()
        XCTAssertEqual((status["daemon"] as? [String: Any])?["running"] as? Bool, true)

        let fm = FileManager.default
        // Added, in a folder that did not exist when the daemon started.
        let added = try herd.copy(Array(photos[30 ..< 35]), to: "2024/summer")
        // Renamed, moved to another folder, deleted, and edited in place.
        try fm.moveItem(atPath: initial[0], toPath: herd.library + "/2023/renamed.jpg")
        try fm.moveItem(atPath: initial[1], toPath: herd.library + "/2024/moved.jpg")
        try fm.removeItem(atPath: initial[2])
        try fm.removeItem(atPath: initial[3])
        try fm.copyItem(atPath: photos[100], toPath: initial[3])
        func paths() throws -> Set<String> { Set(try herd.files().map(\.path)) }
        let expected = Set(initial[3...] + added + [herd.library + "/2023/renamed.jpg", herd.library + "/2024/moved.jpg", herd.library + "/broken/missing-sof.jpg"])
            .subtracting([initial[0], initial[1], initial[2]])
        let converged = herd.waitUntil(timeout: 15) { try paths() == expected && herd.count("pending") == 0 }
        let difference = try paths().symmetricDifference(expected)
        XCTAssertTrue(converged, "\(difference)\n\(herd.daemonLog)")
        XCTAssertEqual(try herd.count("embedded"), 14, "10 − 1 deleted + 5 added")
        XCTAssertEqual(try herd.count("imagesEncoded"), 16, "10 first + 5 added + 1 edited; the rename and the move encode nothing")

        daemon.terminate()
        daemon.waitUntilExit()
        XCTAssertEqual(daemon.terminationStatus, 0, herd.daemonLog)
        let after = try herd.status()
        XCTAssertEqual((after["daemon"] as? [String: Any])?["running"] as? Bool, false)
    }

    func testMovingTwoHundredCataloguedFilesCausesNoEncoderCalls() throws {
        let herd = try HerdHarness()
        defer { herd.remove() }
        let files = try herd.copy(Array(try HerdHarness.clothingPhotos().prefix(200)), to: "inbox")
        try herd.initialise()
        let daemon = try herd.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        XCTAssertTrue(herd.waitUntil { try herd.count("embedded") == 200 }, herd.daemonLog)
        let encodedBefore = try herd.count("imagesEncoded")
        let callsBefore = try herd.status()["encoderCalls"] as? Int
        XCTAssertEqual(encodedBefore, 200)

        try FileManager.default.createDirectory(atPath: herd.library + "/sorted", withIntermediateDirectories: false)
        for file in files {
            try FileManager.default.moveItem(atPath: file, toPath: herd.library + "/sorted/" + (file as NSString).lastPathComponent)
        }
        XCTAssertTrue(
            herd.waitUntil(timeout: 20) { try herd.files(["--path", "sorted/*"]).count == 200 && herd.files(["--path", "inbox/*"]).isEmpty },
            herd.daemonLog)
        XCTAssertEqual(try herd.count("pending"), 0)
        XCTAssertEqual(try herd.count("embedded"), 200)
        XCTAssertEqual(try herd.count("imagesEncoded"), encodedBefore, "no image was handed to the encoder again")
        XCTAssertEqual(try herd.status()["encoderCalls"] as? Int, callsBefore)
        daemon.terminate()
        daemon.waitUntilExit()
    }

    func testSIGKILLAtSeveralPointsLosesNothingDuplicatesNothingAndRedoesNothing() throws {
        // Slow the test-seam encoder so that ingest takes a few seconds and can be killed mid-batch.
        let herd = try HerdHarness(extraEnvironment: ["HERD_DEBUG_EXTRACTOR_DELAY_MS": "15", "HERD_BATCH_SIZE": "8"])
        defer { herd.remove() }
        let photos = try HerdHarness.clothingPhotos()
        try herd.copy(photos, to: "all")
        try herd.copy([HerdBinary.sharedData + "/robustness/jpeg-malformed/empty.jpg"], to: "broken")
        try herd.initialise()
        var killedAt: [Int] = []
        // Kill during start-up and the initial scan, then after roughly 1, 60 and 150 committed features.
        for threshold in [-1, 1, 60, 150] {
            let daemon = try herd.start(["run"])
            if threshold < 0 {
                _ = herd.waitUntil(timeout: 30) { FileManager.default.fileExists(atPath: herd.root + "/data/herd/catalog.sqlite") }
            } else {
                _ = herd.waitUntil(timeout: 30) { (try? herd.count("features")) ?? 0 >= threshold }
            }
            kill(daemon.processIdentifier, SIGKILL)
            daemon.waitUntilExit()
            XCTAssertEqual(daemon.terminationReason, .uncaughtSignal)
            let check = try herd.run(["check", "--json"])
            // Killed before the first schema step committed, the file is still empty; killed between two steps, it lacks
            // the later ones (and says so): either way the next start completes it.
            let emptyYet = threshold < 0 && (check.stderr.contains("is empty") || check.stderr.contains("missing schema steps"))
            XCTAssertTrue(check.status == 0 || emptyYet, "after a kill at \(threshold): \(check.stdout) \(check.stderr)")
            killedAt.append(max(0, (try? herd.count("features")) ?? 0))
        }
        XCTAssertLessThan(killedAt.last ?? 240, 240, "the last kill came before the end of ingest: \(killedAt)")
        print("features committed at each SIGKILL: \(killedAt)")
        let daemon = try herd.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        XCTAssertTrue(herd.waitUntil(timeout: 60) { try herd.count("pending") == 0 && herd.count("embedded") == 240 }, herd.daemonLog)
        daemon.terminate()
        daemon.waitUntilExit()

        let check = try herd.run(["check", "--json"])
        XCTAssertEqual(check.status, 0, check.stdout)
        XCTAssertTrue(check.stdout.contains("\"ok\""), check.stdout)
        let listed = try herd.files()
        XCTAssertEqual(listed.count, 241, "every file once")
        XCTAssertEqual(Set(listed.map(\.path)).count, listed.count, "no duplicates")
        XCTAssertEqual(listed.filter { $0.state == "failed" }.map(\.path), [herd.library + "/broken/empty.jpg"])
        // Counters commit with the features they paid for: any re-encode of committed content would show as more
        // encoded images than feature rows. (The extractor's work lost at each kill was never committed.)
        XCTAssertEqual(try herd.count("features"), Set(photos.map { try? Data(contentsOf: URL(fileURLWithPath: $0)) }).count)
        XCTAssertEqual(try herd.count("imagesEncoded"), try herd.count("features"), "committed work was not redone; kills at \(killedAt)")
    }
}
