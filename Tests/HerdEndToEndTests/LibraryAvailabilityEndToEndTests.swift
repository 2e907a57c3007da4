import Foundation
import XCTest

/// A library root that goes away (renamed, unmounted, deleted) keeps its photos, features, clusters and links, is
/// reported by `herd status`, and is picked up again by itself when it comes back; only photos that vanish from a
/// present root are removed. Real inotify, real SQLite, the byte-histogram test-seam model.
final class LibraryAvailabilityEndToEndTests: XCTestCase {
    func testRenamedOrEmptiedRootKeepsEverythingAndResumesWhenBack() throws {
        let herd = try HerdHarness()
        defer { herd.remove() }
        let photos = try HerdHarness.clothingPhotos()
        try herd.copy(Array(photos[0 ..< 12]), to: "2023")
        try herd.initialise()
        let daemon = try herd.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        XCTAssertTrue(herd.waitUntil(timeout: 60) { try herd.count("embedded") == 12 && herd.links().count == 12 }, herd.daemonLog)
        let files = Set(try herd.files().map(\.path))
        let links = herd.links()

        // Renamed while the daemon runs: nothing is lost, and status says why nothing is there.
        let moved = herd.root + "/Pictures-moved"
        try FileManager.default.moveItem(atPath: herd.library, toPath: moved)
        XCTAssertTrue(herd.waitUntil(timeout: 15) { try herd.unavailableLibraries()[herd.library] != nil }, herd.daemonLog)
        XCTAssertTrue(try herd.unavailableLibraries()[herd.library]?.contains("missing") == true)
        // Give a deletion every chance to happen before checking that none did.
        usleep(1_500_000)
        XCTAssertEqual(Set(try herd.files().map(\.path)), files, "every row is kept")
        XCTAssertEqual(try herd.count("embedded"), 12)
        XCTAssertEqual(herd.links(), links, "every link is kept")
        XCTAssertTrue(herd.daemonLog.contains("library unavailable"), herd.daemonLog)

        // An empty folder where the library was (what an unmounted disk leaves) is not "every photo deleted".
        try FileManager.default.createDirectory(atPath: herd.library, withIntermediateDirectories: false)
        XCTAssertTrue(herd.waitUntil(timeout: 15) { try herd.unavailableLibraries()[herd.library]?.contains("empty") == true }, herd.daemonLog)
        usleep(1_500_000)
        XCTAssertEqual(Set(try herd.files().map(\.path)), files)
        XCTAssertEqual(herd.links(), links)

        // Back under its name: status clears, and a photo added since is embedded and linked with no signal or restart.
        try FileManager.default.removeItem(atPath: herd.library)
        try FileManager.default.copyItem(atPath: photos[100], toPath: moved + "/2023/new.jpg")
        try FileManager.default.moveItem(atPath: moved, toPath: herd.library)
        XCTAssertTrue(herd.waitUntil(timeout: 20) { try herd.unavailableLibraries().isEmpty && herd.count("embedded") == 13 }, herd.daemonLog)
        XCTAssertTrue(herd.waitUntil(timeout: 20) { herd.links().count == 13 }, herd.daemonLog)
        // Folders created after the return are watched too.
        try herd.copy([photos[101]], to: "2024")
        XCTAssertTrue(herd.waitUntil(timeout: 20) { try herd.count("embedded") == 14 }, herd.daemonLog)

        // A photo deleted from a present root is removed, link and all.
        let victim = herd.library + "/2023/" + (photos[0] as NSString).lastPathComponent
        try FileManager.default.removeItem(atPath: victim)
        XCTAssertTrue(herd.waitUntil(timeout: 20) { try !herd.files().map(\.path).contains(victim) && !herd.links().values.contains(victim) }, herd.daemonLog)
        herd.stop(daemon)
        XCTAssertEqual(daemon.terminationStatus, 0, herd.daemonLog)
    }

    func testRootMissingAtStartIsKeptAndFoundByTheSlowPollWhenMounted() throws {
        // A mount raises no inotify event in the parent folder: the daemon's slow look at missing roots finds it.
        guard getuid() == 0 else { throw XCTSkip("needs root to bind-mount a folder over the library (a stand-in for mounting a disk)") }
        let herd = try HerdHarness(extraEnvironment: ["HERD_LIBRARY_POLL_S": "1"])
        defer { herd.remove() }
        let photos = try HerdHarness.clothingPhotos()
        let disk = herd.root + "/disk"
        try FileManager.default.createDirectory(atPath: disk + "/2023", withIntermediateDirectories: true)
        for photo in photos[0 ..< 6] { try FileManager.default.copyItem(atPath: photo, toPath: disk + "/2023/" + (photo as NSString).lastPathComponent) }
        guard Self.shell("mount --bind '\(disk)' '\(herd.library)'") == 0 else { throw XCTSkip("bind mounts are not permitted here") }
        defer { _ = Self.shell("umount -l '\(herd.library)'") }
        try herd.initialise()
        let first = try herd.start(["run"])
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        XCTAssertTrue(herd.waitUntil(timeout: 60) { try herd.count("embedded") == 6 }, herd.daemonLog)
        herd.stop(first)

        // "Unplugged" while herd was not running: the daemon starts on an empty mount point and keeps the photos.
        XCTAssertEqual(Self.shell("umount '\(herd.library)'"), 0)
        let daemon = try herd.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        XCTAssertTrue(herd.waitUntil(timeout: 30) { try herd.unavailableLibraries()[herd.library] != nil }, herd.daemonLog)
        XCTAssertEqual(try herd.count("files"), 6)
        XCTAssertEqual(try herd.count("embedded"), 6)

        // Plugged in again, with a new photo on it.
        try FileManager.default.copyItem(atPath: photos[50], toPath: disk + "/2023/new.jpg")
        XCTAssertEqual(Self.shell("mount --bind '\(disk)' '\(herd.library)'"), 0)
        XCTAssertTrue(herd.waitUntil(timeout: 30) { try herd.unavailableLibraries().isEmpty && herd.count("embedded") == 7 }, herd.daemonLog)
        herd.stop(daemon)
    }

    static func shell(_ command: String) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
