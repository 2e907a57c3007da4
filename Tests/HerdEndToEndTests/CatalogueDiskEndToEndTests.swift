import Foundation
import XCTest

/// The catalogue on disk: its WAL stays near `journal_size_limit` through a long ingest while `herd status` keeps
/// reading, and a full disk pauses the daemon (it does not exit) until space comes back.
final class CatalogueDiskEndToEndTests: XCTestCase {
    /// `copies` distinct files per clothing photo (one trailing byte differs, so each has its own content hash).
    static func fill(_ herd: HerdHarness, copies: Int) throws -> Int {
        let photos = try HerdHarness.clothingPhotos()
        var count = 0
        for copy in 0 ..< copies {
            let folder = herd.library + "/copy\(copy)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for photo in photos {
                var data = try Data(contentsOf: URL(fileURLWithPath: photo))
                data.append(UInt8(copy))
                try data.write(to: URL(fileURLWithPath: folder + "/" + (photo as NSString).lastPathComponent))
                count += 1
            }
        }
        return count
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    func testWALStaysBoundedDuringALongIngestWhileStatusIsRead() throws {
        let herd = try HerdHarness(extraEnvironment: ["HERD_BATCH_SIZE": "8"])
        defer { herd.remove() }
        let total = try Self.fill(herd, copies: 8)
        try herd.initialise()
        let daemon = try herd.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        let catalog = herd.root + "/data/herd/catalog.sqlite"
        var peakWAL = 0
        // Readers all the time, as a user's `watch herd status` and scripts would be: each `herd status` reads the
        // catalogue in several short transactions, and together they overlap the daemon's commits.
        let done = Atomic(false)
        let pollers = (0 ..< 3).map { _ in
            Thread {
                while !done.value { _ = try? HerdBinary.run(["status", "--json"], base: herd.environment) }
            }
        }
        pollers.forEach { $0.start() }
        defer { done.value = true }
        XCTAssertTrue(herd.waitUntil(timeout: 300) {
            peakWAL = max(peakWAL, Self.size(catalog + "-wal"))
            return try herd.count("embedded") == total && herd.count("pending") == 0
        }, herd.daemonLog)
        done.value = true
        peakWAL = max(peakWAL, Self.size(catalog + "-wal"))
        let database = Self.size(catalog)
        print("WAL peak \(peakWAL >> 10) KiB for a \(database >> 10) KiB catalogue of \(total) files")
        // journal_size_limit is 4 MiB; a checkpoint every 2 s keeps growth between them small.
        XCTAssertLessThanOrEqual(peakWAL, 8 << 20, "WAL peak \(peakWAL) bytes, catalogue \(database) bytes")
        // Once ingest is quiet the WAL's space is given back (the heartbeat writes a page or two again at once).
        XCTAssertTrue(herd.waitUntil(timeout: 40) { Self.size(catalog + "-wal") <= 64 << 10 }, "WAL still \(Self.size(catalog + "-wal")) bytes when idle")
        herd.stop(daemon)
    }

    func testFullDiskPausesIngestAndItResumesWhenSpaceIsFreed() throws {
        guard getuid() == 0 else { throw XCTSkip("needs root to mount a small tmpfs for the catalogue") }
        let herd = try HerdHarness(extraEnvironment: ["HERD_DEBUG_EXTRACTOR_DELAY_MS": "8", "HERD_BATCH_SIZE": "8"])
        defer { herd.remove() }
        let data = herd.root + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        guard LibraryAvailabilityEndToEndTests.shell("mount -t tmpfs -o size=24m herd-test '\(data)'") == 0 else {
            throw XCTSkip("tmpfs mounts are not permitted here")
        }
        defer { _ = LibraryAvailabilityEndToEndTests.shell("umount -l '\(data)'") }
        let total = try Self.fill(herd, copies: 4)
        try herd.initialise()
        let daemon = try herd.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        XCTAssertTrue(herd.waitUntil(timeout: 60) { try herd.count("features") >= 100 }, herd.daemonLog)

        // Fill the disk the catalogue is on.
        let filler = data + "/filler"
        FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
        let block = Data(count: 1 << 16)
        while (try? handle.write(contentsOf: block)) != nil {}
        try? handle.close()
        XCTAssertTrue(herd.waitUntil(timeout: 60) { herd.daemonLog.contains("the disk is full") }, herd.daemonLog)
        // The daemon's own report gets through: it gave back its reserve so its heartbeat can commit.
        XCTAssertTrue(herd.waitUntil(timeout: 20) { (try herd.health()["diskFull"] as? String)?.contains("full") == true }, herd.daemonLog)
        XCTAssertEqual(try herd.status()["diskFull"] as? Bool, true)
        let stuck = try herd.count("embedded")
        XCTAssertLessThan(stuck, total, "ingest paused before the end")
        sleep(3)
        XCTAssertTrue(daemon.isRunning, "the daemon waits instead of exiting: \(herd.daemonLog)")
        let human = try herd.run(["status"])
        XCTAssertTrue(human.stdout.contains("FULL"), human.stdout)

        // Space comes back: ingest resumes by itself and nothing committed is lost.
        try FileManager.default.removeItem(atPath: filler)
        XCTAssertTrue(herd.waitUntil(timeout: 120) { try herd.count("embedded") == total && herd.count("pending") == 0 }, herd.daemonLog)
        XCTAssertTrue(herd.waitUntil(timeout: 20) { try herd.status()["diskFull"] as? Bool == false }, herd.daemonLog)
        XCTAssertTrue(daemon.isRunning)
        herd.stop(daemon)
        let check = try herd.run(["check", "--json"])
        XCTAssertEqual(check.status, 0, check.stdout)
    }
}

/// A flag shared with the polling threads.
final class Atomic<T: Sendable>: @unchecked Sendable {
    // @unchecked: every access goes through `lock`.
    private let lock = NSLock()
    private var stored: T

    init(_ value: T) { stored = value }

    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
