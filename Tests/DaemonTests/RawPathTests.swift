import Catalog
@testable import Daemon
import Foundation
import XCTest

/// File names are bytes: every byte string survives the trip through a `String` path exactly.
final class RawPathTests: XCTestCase {
    func testEveryByteStringRoundTripsAndDisplaysWithReplacementCharacters() {
        let cases: [[UInt8]] = [
            Array("plain/ascii.jpg".utf8), Array("café ☕/日本.jpg".utf8),
            Array("bad".utf8) + [0xFF, 0xFE] + Array(".jpg".utf8), Array("caf".utf8) + [0xE9] + Array(".jpg".utf8),
            // The escapes' own encodings (U+F780, U+F7FF) and a truncated sequence must not be mistaken for escapes.
            [0xEF, 0x9E, 0x80, 0x2F, 0xEF, 0x9F, 0xBF], [0xE2, 0x82], [0xC0, 0xAF, 0xED, 0xA0, 0x80],
        ]
        var generator = SystemRandomNumberGenerator()
        let random = (0 ..< 500).map { _ in (0 ..< Int.random(in: 1 ... 12, using: &generator)).map { _ in UInt8.random(in: 1 ... 255, using: &generator) } }
        for bytes in cases + random {
            let path = RawPath.string(fromBytes: bytes)
            XCTAssertEqual(RawPath.bytes(path), bytes, "\(bytes)")
            XCTAssertEqual(RawPath.needsEscaping(path), String(validating: bytes, as: UTF8.self) == nil || RawPath.bytes(path) != Array(path.utf8))
        }
        XCTAssertEqual(RawPath.string(fromBytes: Array("café.jpg".utf8)), "café.jpg", "valid UTF-8 is itself")
        XCTAssertEqual(RawPath.display(RawPath.string(fromBytes: Array("bad".utf8) + [0xFF, 0xFE] + Array(".jpg".utf8))), "bad\u{FFFD}.jpg")
    }

    /// A folder's names come back exactly, from one byte to the longest a name may be (255), invalid UTF-8 included.
    func testFolderEntriesOfEveryLength() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let folder = try temp.folder("names")
        var expected = Set<String>()
        for length in [1, 2, 7, 8, 9, 63, 64, 100, 200, 254, 255] {
            for variant: UInt8 in [0x61, 0xFE] {
                let bytes = [UInt8](repeating: 0x62, count: length - 1) + [variant]
                let name = RawPath.string(fromBytes: bytes)
                let fd = RawPath.withCString(folder + "/" + name) { creat($0, 0o644) }
                XCTAssertGreaterThanOrEqual(fd, 0, "length \(length)")
                close(fd)
                expected.insert(name)
            }
        }
        XCTAssertEqual(Set(try Syscall.directoryEntries(folder)), expected)
    }

    func testScannerCataloguesANameThatIsNotUTF8AndTheCatalogueGivesItsBytesBack() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let name: [UInt8] = Array("bad".utf8) + [0xFF] + Array(".jpg".utf8)
        let path = Array(folder.path.utf8) + [UInt8(ascii: "/")] + name + [0]
        let fd = path.withUnsafeBufferPointer { $0.baseAddress!.withMemoryRebound(to: CChar.self, capacity: path.count) { open($0, O_WRONLY | O_CREAT, 0o644) } }
        XCTAssertGreaterThanOrEqual(fd, 0)
        _ = [UInt8]([0xFF, 0xD8, 0xFF, 0xE0]).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, 4) }
        close(fd)
        let walk = LibraryLayout(roots: [folder.path], output: folder.path + "/out").walk(folder.path)
        XCTAssertEqual(walk.files.count, 1, "listed, not skipped")
        XCTAssertEqual(walk.files.first.map { RawPath.bytes($0.path) }, Array(folder.path.utf8) + [UInt8(ascii: "/")] + name)
        XCTAssertEqual(walk.files.first?.size, 4, "lstat reached the file by its bytes")
    }
}

/// When a failed file is tried again: on any change of its metadata (chmod, chown), never for a file that is done.
final class FailureRetryTests: XCTestCase {
    func testAFailedFileWhoseModeOrCtimeChangedIsPlannedAsChanged() {
        func stat(_ path: String, mode: UInt32, ctime: Int64) -> FileStat {
            FileStat(path: path, device: 1, inode: path.count == 8 ? 1 : 2, size: 10, mtimeNanoseconds: 5, mode: mode, ctimeNanoseconds: ctime)
        }
        let rows = [
            CatalogEntry(id: 1, stat: stat("/l/a.jpg", mode: 0o100000, ctime: 1), contentHash: nil, state: .failed),
            CatalogEntry(id: 2, stat: stat("/l/bb.jpg", mode: 0o100000, ctime: 1), contentHash: Data([2]), state: .done),
        ]
        let unchanged = Reconciliation.plan(disk: rows.map(\.stat), catalogue: rows)
        XCTAssertTrue(unchanged.changes.isEmpty && unchanged.added.isEmpty && unchanged.deleted.isEmpty)
        let chmodded = [stat("/l/a.jpg", mode: 0o100644, ctime: 2), stat("/l/bb.jpg", mode: 0o100644, ctime: 2)]
        let plan = Reconciliation.plan(disk: chmodded, catalogue: rows)
        XCTAssertEqual(plan.changes.changed.map(\.id), [1], "only the failed file is tried again")
        XCTAssertTrue(plan.added.isEmpty && plan.deleted.isEmpty)
    }

    func testTheOutputMustBeNewEmptyOrHerds() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        XCTAssertFalse(try FolderWriter.checkOutput(folder.path + "/new"))
        XCTAssertFalse(try FolderWriter.checkOutput(folder.path))
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder.path + "/notes.txt"))
        XCTAssertThrowsError(try FolderWriter.checkOutput(folder.path)) { XCTAssertTrue("\($0)".contains("not made by herd"), "\($0)") }
        XCTAssertThrowsError(try FolderWriter.checkOutput(folder.path + "/notes.txt")) { XCTAssertTrue("\($0)".contains("not a folder"), "\($0)") }
        try FolderWriter(root: folder.path + "/herds").prepare()
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder.path + "/herds/kept by the user.txt"))
        XCTAssertTrue(try FolderWriter.checkOutput(folder.path + "/herds"), "herd's own output, whatever else is in it")
    }
}
