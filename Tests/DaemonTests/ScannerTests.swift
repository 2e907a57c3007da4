import Catalog
import Daemon
import Foundation
import XCTest

final class ScannerTests: XCTestCase {
    private func stat(_ path: String, inode: UInt64, size: Int64 = 10, mtime: Int64 = 1) -> FileStat {
        FileStat(path: path, device: 1, inode: inode, size: size, mtimeNanoseconds: mtime)
    }

    func testPlanTellsUnchangedMovedChangedAddedAndDeleted() {
        let rows = [
            CatalogEntry(id: 1, stat: stat("/l/same.jpg", inode: 1), contentHash: Data([1])),
            CatalogEntry(id: 2, stat: stat("/l/old-name.jpg", inode: 2), contentHash: Data([2])),
            CatalogEntry(id: 3, stat: stat("/l/edited.jpg", inode: 3), contentHash: Data([3])),
            CatalogEntry(id: 4, stat: stat("/l/gone.jpg", inode: 4), contentHash: Data([4])),
            CatalogEntry(id: 5, stat: stat("/l/copied-away.jpg", inode: 5, size: 77), contentHash: Data([5])),
        ]
        let disk = [
            stat("/l/same.jpg", inode: 1), stat("/l/new-name.jpg", inode: 2), stat("/l/edited.jpg", inode: 3, size: 11),
            stat("/l/new.jpg", inode: 6, size: 12), stat("/other-disk/copied.jpg", inode: 50, size: 77),
        ]
        let plan = Reconciliation.plan(disk: disk, catalogue: rows)
        XCTAssertEqual(plan.changes.moved.map(\.id), [2])
        XCTAssertEqual(plan.changes.changed.map(\.id), [3])
        XCTAssertEqual(Set(plan.added.map(\.path)), ["/l/new.jpg", "/other-disk/copied.jpg"])
        XCTAssertEqual(plan.deleted.map(\.id), [4, 5])
        var asked: [String] = []
        let changes = Reconciliation.matchByContent(plan) { file in
            asked.append(file.path)
            return Data([5])
        }
        XCTAssertEqual(asked, ["/other-disk/copied.jpg"], "only files whose size matches a deleted row are hashed")
        XCTAssertEqual(changes.moved.map(\.id), [2, 5])
        XCTAssertEqual(changes.added.map(\.path), ["/l/new.jpg"])
        XCTAssertEqual(changes.deleted, [4])
    }

    func testPlanHandlesRenameOntoAnExistingNameAndSwaps() {
        let rows = [
            CatalogEntry(id: 1, stat: stat("/l/a.jpg", inode: 1), contentHash: nil),
            CatalogEntry(id: 2, stat: stat("/l/b.jpg", inode: 2), contentHash: nil),
        ]
        // mv a.jpg b.jpg: b now has a's inode, a is gone.
        let over = Reconciliation.plan(disk: [stat("/l/b.jpg", inode: 1)], catalogue: rows)
        XCTAssertEqual(over.changes.moved.map(\.id), [1])
        XCTAssertEqual(over.deleted.map(\.id), [2])
        // Swapped names.
        let swap = Reconciliation.plan(disk: [stat("/l/a.jpg", inode: 2), stat("/l/b.jpg", inode: 1)], catalogue: rows)
        XCTAssertEqual(Set(swap.changes.moved.map(\.id)), [1, 2])
        XCTAssertTrue(swap.changes.changed.isEmpty && swap.added.isEmpty && swap.deleted.isEmpty)
    }

    func testSniffingAndExtensions() {
        XCTAssertTrue(ImageSniffing.hasImageExtension("holiday.HEIC"), "listed as unsupported, not skipped")
        XCTAssertTrue(ImageSniffing.hasImageExtension("IMG_1.JPG"))
        XCTAssertFalse(ImageSniffing.hasImageExtension("Thumbs.db"))
        let junk = HerdTestPaths.sharedData + "/robustness/junk/"
        XCTAssertTrue(ImageSniffing.isLikelyImage(atPath: junk + "caltech_BACKGROUND_Google_tmp_noext_jpeg"))
        XCTAssertFalse(ImageSniffing.isLikelyImage(atPath: junk + "Thumbs.db"))
    }

    func testContentHashStreamsLargeFiles() throws {
        let large = HerdTestPaths.sharedData + "/robustness/large/012mp-bus.jpg"
        let digest = try ContentHash.sha256(ofFileAt: large)
        XCTAssertEqual(digest.count, 32)
        let data = try Data(contentsOf: URL(fileURLWithPath: large))
        XCTAssertGreaterThan(data.count, 1 << 20, "spans several read chunks")
        let sha256sum = Process()
        sha256sum.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        sha256sum.arguments = [large]
        let output = Pipe()
        sha256sum.standardOutput = output
        try sha256sum.run()
        sha256sum.waitUntilExit()
        let expected = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        XCTAssertEqual(digest.map { String(format: "%02x", $0) }.joined(), String(expected))
        XCTAssertThrowsError(try ContentHash.sha256(ofFileAt: "/nonexistent/x.jpg")) { error in
            XCTAssertTrue("\(error)".contains("open") && "\(error)".contains("/nonexistent/x.jpg"), "\(error)")
        }
    }

    func testScanSkipsLinksHiddenOutputAndJunkAndFollowsRenamesMovesEditsAndDeletes() throws {
        let fixture = try LibraryFixture()
        defer { fixture.remove() }
        let catalog = try Catalog.openForWriting(path: fixture.catalogPath)
        let scanner = Scanner(layout: fixture.layout, catalog: catalog, logger: .test)
        let shirts = try fixture.copy(try LibraryFixture.photos("shirt", count: 3), to: "shirts")
        try fixture.copy(try LibraryFixture.photos("hat", count: 2), to: ".hidden")
        let junk = HerdTestPaths.sharedData + "/robustness/junk/"
        try fixture.copy([junk + "Thumbs.db", junk + "lfs_pointer_image_06743.jpg", junk + "caltech_BACKGROUND_Google_tmp_noext_jpeg"], to: "junk")
        try FileManager.default.createSymbolicLink(atPath: fixture.library + "/link.jpg", withDestinationPath: shirts[0])
        try FileManager.default.createSymbolicLink(atPath: fixture.library + "/linked-folder", withDestinationPath: fixture.library + "/shirts")

        var report = try scanner.reconcileAll()
        XCTAssertEqual(report.added, 5, "3 shirts + the broken .jpg + the JPEG without extension: \(report)")
        XCTAssertNil(try catalog.file(atPath: fixture.library + "/link.jpg"))
        XCTAssertNil(try catalog.file(atPath: fixture.library + "/junk/Thumbs.db"))
        XCTAssertEqual(try scanner.reconcileAll(), { var r = ScanReport(); r.seen = 5; r.directories = 3; r.presentRoots = [fixture.library]; return r }())

        let fm = FileManager.default
        try fm.moveItem(atPath: shirts[0], toPath: fixture.library + "/renamed.jpg")
        try fm.createDirectory(atPath: fixture.library + "/2024", withIntermediateDirectories: false)
        try fm.moveItem(atPath: shirts[1], toPath: fixture.library + "/2024/moved.jpg")
        // An edit in place: new content, same name.
        try Data(contentsOf: URL(fileURLWithPath: junk + "caltech_BACKGROUND_Google_tmp_noext_jpeg")).write(to: URL(fileURLWithPath: shirts[2]))
        try fm.removeItem(atPath: fixture.library + "/junk/lfs_pointer_image_06743.jpg")
        report = try scanner.reconcileAll()
        XCTAssertEqual(report.moved, 2)
        XCTAssertEqual(report.changed, 1)
        XCTAssertEqual(report.deleted, 1)
        XCTAssertEqual(report.added, 0)
        // The links the herds service takes away: moved from, changed, deleted (kept out of what status stores).
        XCTAssertEqual(report.leftPaths, [shirts[0], shirts[1], shirts[2], fixture.library + "/junk/lfs_pointer_image_06743.jpg"])
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(report), as: UTF8.self).contains("leftPaths"))
        XCTAssertNotNil(try catalog.file(atPath: fixture.library + "/2024/moved.jpg"))
        XCTAssertEqual(try catalog.files(matching: FileFilter()).count, 4)
    }

    func testPartialReconcileOfWatchedPathsAndMissingRootKeepsRows() throws {
        let fixture = try LibraryFixture()
        defer { fixture.remove() }
        let catalog = try Catalog.openForWriting(path: fixture.catalogPath)
        let scanner = Scanner(layout: fixture.layout, catalog: catalog, logger: .test)
        let hats = try fixture.copy(try LibraryFixture.photos("hat", count: 4), to: "a")
        _ = try scanner.reconcileAll()
        let fm = FileManager.default
        try fm.moveItem(atPath: fixture.library + "/a", toPath: fixture.library + "/b")
        var folders: [String] = []
        let report = try scanner.reconcile(paths: [fixture.library + "/a", fixture.library + "/b"]) { folders.append($0) }
        XCTAssertEqual(report.moved, 4)
        XCTAssertEqual(folders, [fixture.library + "/b"])
        XCTAssertNil(try catalog.file(atPath: hats[0]))
        // A path outside the library or in a hidden folder is ignored.
        XCTAssertEqual(try scanner.reconcile(paths: ["/etc/passwd", fixture.library + "/.git/x.jpg"]), ScanReport())
        // The whole library vanishing (an unmounted disk) keeps every row.
        try fm.moveItem(atPath: fixture.library, toPath: fixture.folder.path + "/elsewhere")
        let missing = try scanner.reconcileAll()
        XCTAssertEqual(missing.deleted, 0)
        XCTAssertEqual(try catalog.files(matching: FileFilter()).count, 4)
    }
}
