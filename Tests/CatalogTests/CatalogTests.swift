import Catalog
import Foundation
import GRDB
import XCTest

final class CatalogTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("herd-catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private var catalogPath: String { directory.appendingPathComponent("data/catalog.sqlite").path }

    private func stat(_ path: String, inode: UInt64, size: Int64 = 100, mtime: Int64 = 1) -> FileStat {
        FileStat(path: path, device: 1, inode: inode, size: size, mtimeNanoseconds: mtime)
    }

    func testReaderRefusesMissingOlderAndNewerSchemas() throws {
        XCTAssertThrowsError(try Catalog.openForReading(path: catalogPath)) { error in
            XCTAssertEqual((error as? CatalogError)?.code, .missing)
            XCTAssertTrue("\(error)".contains("herd run"), "\(error)")
        }
        // An older catalogue: the migrations table exists but lacks this build's steps.
        let old = directory.appendingPathComponent("old.sqlite").path
        try runSQLite(old, "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY); PRAGMA journal_mode=WAL;")
        XCTAssertThrowsError(try Catalog.openForReading(path: old)) { error in
            XCTAssertEqual((error as? CatalogError)?.code, .olderSchema)
            XCTAssertTrue("\(error)".contains(old), "names the file: \(error)")
        }
        // The daemon upgrades it; then the reader accepts it.
        _ = try Catalog.openForWriting(path: old)
        XCTAssertNoThrow(try Catalog.openForReading(path: old))
        // A newer catalogue: a step this build does not know.
        try runSQLite(old, "INSERT INTO grdb_migrations VALUES ('v99-from-the-future');")
        XCTAssertThrowsError(try Catalog.openForReading(path: old)) { error in
            XCTAssertEqual((error as? CatalogError)?.code, .newerSchema)
        }
        XCTAssertThrowsError(try Catalog.openForWriting(path: old)) { error in
            XCTAssertEqual((error as? CatalogError)?.code, .newerSchema)
        }
    }

    /// The daemon looks for contents no file holds any more only when a file may have left: the counter moves on a
    /// delete, a change in place or a re-queue, and not when photos are added, moved or embedded.
    func testContentRemovalsCountDeletesAndChangesOnly() throws {
        let catalog = try Catalog.openForWriting(path: catalogPath)
        XCTAssertEqual(try catalog.contentRemovals(), 0)
        var changes = CatalogChanges()
        changes.added = [stat("/lib/a.jpg", inode: 1), stat("/lib/b.jpg", inode: 2), stat("/lib/c.jpg", inode: 3)]
        try catalog.apply(changes)
        let a = try XCTUnwrap(catalog.file(atPath: "/lib/a.jpg"))
        try catalog.commit(
            [IngestOutcome(id: a.id, stat: a.stat, contentHash: Data([1]), metadata: ImageMetadata(format: "jpeg", width: 4, height: 3), features: [1, 2], error: nil)],
            modelID: "m", runID: try catalog.beginRun(kind: "test", pid: 1, modelID: "m", blasCore: nil),
            counters: BatchCounters(extractorCalls: 1, imagesEncoded: 1, seconds: 0.1))
        changes = CatalogChanges()
        changes.moved = [(a.id, stat("/lib/moved.jpg", inode: 1))]
        try catalog.apply(changes)
        XCTAssertEqual(try catalog.contentRemovals(), 0, "adds, moves and commits leave every content held")
        changes = CatalogChanges()
        changes.changed = [(a.id, stat("/lib/moved.jpg", inode: 1, size: 200))]
        try catalog.apply(changes)
        XCTAssertEqual(try catalog.contentRemovals(), 1)
        changes = CatalogChanges()
        changes.deleted = [try XCTUnwrap(catalog.file(atPath: "/lib/b.jpg")).id]
        try catalog.apply(changes)
        XCTAssertEqual(try catalog.contentRemovals(), 2)
    }

    func testApplyAddsMovesChangesAndDeletes() throws {
        let catalog = try Catalog.openForWriting(path: catalogPath)
        var changes = CatalogChanges()
        changes.added = [stat("/lib/a.jpg", inode: 1), stat("/lib/b.jpg", inode: 2), stat("/lib/c.jpg", inode: 3)]
        try catalog.apply(changes)
        let a = try XCTUnwrap(catalog.file(atPath: "/lib/a.jpg"))
        let b = try XCTUnwrap(catalog.file(atPath: "/lib/b.jpg"))
        let c = try XCTUnwrap(catalog.file(atPath: "/lib/c.jpg"))
        // Mark a done, so that a move can be seen to keep the state.
        try catalog.commit(
            [IngestOutcome(id: a.id, stat: a.stat, contentHash: Data([1]), metadata: ImageMetadata(format: "jpeg", width: 4, height: 3), features: [1, 2], error: nil)],
            modelID: "m", runID: try catalog.beginRun(kind: "test", pid: 1, modelID: "m", blasCore: nil),
            counters: BatchCounters(extractorCalls: 1, imagesEncoded: 1, seconds: 0.1))

        // Swap a and b's names, change c in place.
        changes = CatalogChanges()
        changes.moved = [(a.id, stat("/lib/b.jpg", inode: 1)), (b.id, stat("/lib/a.jpg", inode: 2))]
        changes.changed = [(c.id, stat("/lib/c.jpg", inode: 3, size: 200))]
        try catalog.apply(changes)
        let movedA = try XCTUnwrap(catalog.file(atPath: "/lib/b.jpg"))
        XCTAssertEqual(movedA.id, a.id)
        XCTAssertEqual(movedA.state, .done, "a move keeps the work done")
        XCTAssertEqual(movedA.metadata?.width, 4)
        XCTAssertEqual(try catalog.file(atPath: "/lib/a.jpg")?.id, b.id)
        XCTAssertEqual(try catalog.file(atPath: "/lib/c.jpg")?.stat.size, 200)

        changes = CatalogChanges()
        changes.deleted = [c.id]
        try catalog.apply(changes)
        XCTAssertNil(try catalog.file(atPath: "/lib/c.jpg"))
        XCTAssertEqual(try catalog.entries(under: "/lib").count, 2)
        XCTAssertEqual(try catalog.entries(under: "/li").count, 0, "a prefix is not a parent folder")
        changes = CatalogChanges()
        changes.added = [stat("/lib/cafe\u{301} 50%_/x.jpg", inode: 9)]
        try catalog.apply(changes)
        XCTAssertEqual(try catalog.entries(under: "/lib/cafe\u{301} 50%_").map(\.stat.path), ["/lib/cafe\u{301} 50%_/x.jpg"])
        // Siblings whose names sort just before and after `lib/` (the path index's range) are not below it.
        changes = CatalogChanges()
        changes.added = ["/lib0/x.jpg", "/lib./x.jpg", "/lib-x/y.jpg", "/libé/x.jpg", "/lib/0/z.jpg"].enumerated().map { stat($1, inode: UInt64(20 + $0)) }
        try catalog.apply(changes)
        XCTAssertEqual(Set(try catalog.entries(under: "/lib").map(\.stat.path)),
                       ["/lib/a.jpg", "/lib/b.jpg", "/lib/cafe\u{301} 50%_/x.jpg", "/lib/0/z.jpg"])
        XCTAssertTrue(try catalog.hasEntries(under: "/lib/0"))
        XCTAssertFalse(try catalog.hasEntries(under: "/lib/0/z"))
        XCTAssertFalse(try catalog.hasEntries(under: "/lib", onDevice: 99))
        XCTAssertEqual(try catalog.integrityCheck(), ["ok"])
    }

    func testRescanRequeuesOnlyUnreadableAndUnsupportedFailuresUnderPresentRoots() throws {
        let catalog = try Catalog.openForWriting(path: catalogPath)
        var changes = CatalogChanges()
        let kinds: [FailureKind] = [.unreadable, .unsupported, .corrupt, .tooLarge, .encoder]
        changes.added = kinds.enumerated().map { stat("/lib/\($0.element.rawValue).jpg", inode: UInt64($0.offset + 1)) }
            + [stat("/away/unreadable.jpg", inode: 99)]
        try catalog.apply(changes)
        let run = try catalog.beginRun(kind: "test", pid: 1, modelID: "m", blasCore: nil)
        let outcomes = try (kinds + [.unreadable]).enumerated().map { index, kind -> IngestOutcome in
            let path = index < kinds.count ? "/lib/\(kind.rawValue).jpg" : "/away/unreadable.jpg"
            let row = try XCTUnwrap(catalog.file(atPath: path))
            return IngestOutcome(id: row.id, stat: row.stat, contentHash: nil, metadata: nil, features: nil, error: "why", failure: kind)
        }
        try catalog.commit(outcomes, modelID: "m", runID: run, counters: BatchCounters(extractorCalls: 0, imagesEncoded: 0, seconds: 0))
        XCTAssertEqual(try catalog.file(atPath: "/lib/too-large.jpg")?.failure, .tooLarge, "the kind is stored")
        XCTAssertEqual(try catalog.requeueRetryableFailures(under: ["/lib"]), 2)
        let pending = try catalog.files(matching: FileFilter(state: .pending)).map(\.stat.path)
        XCTAssertEqual(pending, ["/lib/unreadable.jpg", "/lib/unsupported.jpg"])
        XCTAssertEqual(try catalog.file(atPath: "/away/unreadable.jpg")?.state, .failed, "a library that is not there is left alone")
    }

    func testCommitSkipsFilesChangedMeanwhileAndCountsEncoderWork() throws {
        let catalog = try Catalog.openForWriting(path: catalogPath)
        var changes = CatalogChanges()
        changes.added = [stat("/lib/a.jpg", inode: 1), stat("/lib/b.png", inode: 2)]
        try catalog.apply(changes)
        let a = try XCTUnwrap(catalog.file(atPath: "/lib/a.jpg"))
        let b = try XCTUnwrap(catalog.file(atPath: "/lib/b.png"))
        let run = try catalog.beginRun(kind: "test", pid: 1, modelID: "m", blasCore: "Haswell")
        let vector: [Float] = [0.5, -1, .pi, 1e-30]
        try catalog.commit(
            [
                IngestOutcome(id: a.id, stat: a.stat, contentHash: Data([7]), metadata: nil, features: vector, error: nil),
                // b changed after it was read: its outcome must not land.
                IngestOutcome(id: b.id, stat: stat("/lib/b.png", inode: 2, size: 1), contentHash: Data([8]), metadata: nil, features: nil, error: "bad"),
            ],
            modelID: "m", runID: run, counters: BatchCounters(extractorCalls: 1, imagesEncoded: 1, seconds: 0.5))
        XCTAssertEqual(try catalog.file(atPath: "/lib/a.jpg")?.state, .done)
        XCTAssertEqual(try catalog.file(atPath: "/lib/b.png")?.state, .pending)
        XCTAssertEqual(try catalog.features(forHash: Data([7]), modelID: "m"), vector)
        XCTAssertEqual(try catalog.hashesWithFeatures([Data([7]), Data([8])], modelID: "m"), [Data([7])])
        XCTAssertEqual(try catalog.hashesWithFeatures([Data([7])], modelID: "other"), [])
        let counts = try catalog.counts(modelID: "m")
        XCTAssertEqual(counts, CatalogCounts(files: 2, embedded: 1, pending: 1, failed: 0, features: 1, imagesEncoded: 1))
        // The stored blob is little-endian float32.
        XCTAssertEqual(Catalog.littleEndianData([1]), Data([0, 0, 0x80, 0x3f]))
        // A new model puts embedded files back in the queue.
        XCTAssertEqual(try catalog.requeueFilesMissingFeatures(modelID: "other"), 1)
        XCTAssertEqual(try catalog.counts(modelID: "other").pending, 2)
    }

    func testFiltersByStateGlobAndCaptureTime() throws {
        let catalog = try Catalog.openForWriting(path: catalogPath)
        var changes = CatalogChanges()
        changes.added = (1...4).map { stat("/lib/\($0 % 2 == 0 ? "even" : "odd")/\($0).jpg", inode: UInt64($0)) }
        try catalog.apply(changes)
        let run = try catalog.beginRun(kind: "test", pid: 1, modelID: "m", blasCore: nil)
        let files = try catalog.files(matching: FileFilter())
        let outcomes = files.enumerated().map { i, f in
            IngestOutcome(
                id: f.id, stat: f.stat, contentHash: Data([UInt8(i)]),
                metadata: ImageMetadata(format: "jpeg", width: 1, height: 1, takenAt: "2024-0\(i + 1)-15T12:00:00"),
                features: nil, error: i == 3 ? "truncated JPEG" : nil)
        }
        try catalog.commit(outcomes, modelID: "m", runID: run, counters: BatchCounters(extractorCalls: 0, imagesEncoded: 0, seconds: 0))
        XCTAssertEqual(try catalog.files(matching: FileFilter(state: .failed)).map(\.error), ["truncated JPEG"])
        XCTAssertEqual(try catalog.files(matching: FileFilter(pathGlob: "*/even/*")).count, 2)
        XCTAssertEqual(try catalog.files(matching: FileFilter(takenAfter: "2024-02-01", takenBefore: "2024-04-01")).count, 2)
    }

    func testReaderSeesCommittedWorkWhileTheWriterHoldsTheFile() throws {
        let writer = try Catalog.openForWriting(path: catalogPath)
        let reader = try Catalog.openForReading(path: catalogPath)
        var changes = CatalogChanges()
        changes.added = [stat("/lib/a.jpg", inode: 1)]
        try writer.apply(changes)
        XCTAssertEqual(try reader.counts(modelID: "m").files, 1)
        let run = try writer.beginRun(kind: "daemon", pid: 42, modelID: "m", blasCore: nil)
        try writer.updateRun(run, phase: "watching", watchNote: .some("inotify queue overflowed; rescanned"))
        try writer.recordEvent(runID: run, kind: "scan", detail: "1 added")
        XCTAssertEqual(try reader.latestRun()?.watchNote, "inotify queue overflowed; rescanned")
        XCTAssertEqual(try reader.latestEvent(kind: "scan")?.detail, "1 added")
    }

    private func runSQLite(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: sql) }
    }
}
