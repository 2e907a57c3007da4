import Daemon
import Foundation
import XCTest

final class DuplicateFoldersTests: XCTestCase {
    /// Keeper first, links that resolve, and groups that go take their folders with them (files of the user's stay).
    func testFoldersFollowTheGroups() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let library = try temp.folder("library"), output = try temp.folder("out")
        let photos = try ["a.jpg", "b.jpg", ".hidden.jpg", "c.jpg"].map { name -> String in
            let path = library + "/" + name
            try Data("x".utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let writer = DuplicateFolders(root: output)
        try writer.apply([[photos[1], photos[0]], [photos[2], photos[3]]])
        let base = output + "/_duplicates"
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: base).sorted(), ["0001", "0002"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: base + "/0001").sorted(), ["00-keep-b.jpg", "01-a.jpg"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: base + "/0002").sorted(), ["00-keep-_hidden.jpg", "01-c.jpg"])
        XCTAssertEqual(try String(contentsOfFile: base + "/0001/00-keep-b.jpg", encoding: .utf8), "x", "the link resolves")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: base + "/0001/01-a.jpg"), "../../../library/a.jpg")

        // The keeper changes; the second group goes, except a file the user put there.
        try Data("note".utf8).write(to: URL(fileURLWithPath: base + "/0002/notes.txt"))
        try writer.apply([[photos[0], photos[1]]])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: base + "/0001").sorted(), ["00-keep-a.jpg", "01-b.jpg"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: base + "/0002"), ["notes.txt"])

        // No groups at all: the folder goes when nothing else is in it.
        try FileManager.default.removeItem(atPath: base + "/0002/notes.txt")
        try writer.apply([])
        XCTAssertFalse(FileManager.default.fileExists(atPath: base))
    }

    func testLinkNamesSortTheKeeperFirst() {
        let names = DuplicateFolders.linkNames((0..<12).map { "/p/\($0).jpg" })
        XCTAssertEqual(names.first, "00-keep-0.jpg")
        XCTAssertEqual(names.last, "11-11.jpg")
        XCTAssertEqual(names.sorted(), names)
    }
}
