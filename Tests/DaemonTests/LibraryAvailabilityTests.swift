import Catalog
import Daemon
import Foundation
import XCTest

/// When a library root counts as unavailable (rows kept) rather than emptied (rows deleted).
final class LibraryAvailabilityTests: XCTestCase {
    func testMissingEmptyAndUnmountedLookingRootsKeepTheirRowsAndAPresentOneIsReconciled() throws {
        let fixture = try LibraryFixture()
        defer { fixture.remove() }
        let catalog = try Catalog.openForWriting(path: fixture.catalogPath)
        let scanner = Scanner(layout: fixture.layout, catalog: catalog, logger: .test)
        XCTAssertNil(try scanner.availability(of: fixture.library), "an empty library with no catalogued photos is simply empty")
        let photos = try fixture.copy(try LibraryFixture.photos("hat", count: 3), to: "2023")
        XCTAssertEqual(try scanner.reconcileAll().added, 3)

        // As if the photos were on a disk mounted at the library and it was unplugged: rows on another device, their
        // paths gone, the root on its parent's file system with a stray file in it.
        var changes = CatalogChanges()
        let elsewhere = try catalog.entries(under: fixture.library).map { entry -> (id: Int64, stat: FileStat) in
            var stat = entry.stat
            stat.device = stat.device &+ 1000
            return (entry.id, stat)
        }
        changes.moved = elsewhere
        try catalog.apply(changes)
        for photo in photos { try FileManager.default.removeItem(atPath: photo) }
        try Data("stray".utf8).write(to: URL(fileURLWithPath: fixture.library + "/2023/stray.jpg"))
        let unplugged = try scanner.reconcileAll()
        XCTAssertTrue(unplugged.unavailableRoots[fixture.library]?.contains("nothing is mounted here") == true, "\(unplugged)")
        XCTAssertEqual(try catalog.entries(under: fixture.library).count, 3, "rows kept")

        // Emptied (the mount point itself): still unavailable.
        try FileManager.default.removeItem(atPath: fixture.library + "/2023")
        XCTAssertTrue(try scanner.reconcileAll().unavailableRoots[fixture.library]?.contains("empty") == true)
        // Missing: the same; an event for a path inside it deletes nothing either.
        try FileManager.default.removeItem(atPath: fixture.library)
        XCTAssertTrue(try scanner.reconcileAll().unavailableRoots[fixture.library]?.contains("missing") == true)
        XCTAssertEqual(try scanner.reconcile(paths: [fixture.library, fixture.library + "/2023"]).deleted, 0)
        XCTAssertEqual(try catalog.entries(under: fixture.library).count, 3)

        // Present again with some of its photos: those that vanished from a present root are removed.
        _ = try fixture.copy(try LibraryFixture.photos("hat", count: 1), to: "2023")
        let back = try scanner.reconcileAll()
        XCTAssertEqual(back.presentRoots, [fixture.library])
        XCTAssertEqual(try catalog.entries(under: fixture.library).count, 1, "\(back)")
    }
}
