import Daemon
import Foundation
import XCTest

final class OverviewPagesTests: XCTestCase {
    private func library(herds: Int, photosPerHerd: Int) -> OverviewLibrary {
        let list = (1...herds).map { id in
            OverviewLibrary.Herd(
                id: id, label: id == 1 ? "Beach & <Sun>" : nil, folder: FolderWriter.folderName(clusterID: id, label: id == 1 ? "Beach & <Sun>" : nil),
                photos: (0..<photosPerHerd).map { .init(path: "/lib/\(id)/photo \($0).jpg", thumbnail: $0 == 0 ? nil : "\(id)-\($0).jpg") })
        }
        return OverviewLibrary(herds: list, duplicates: [], files: herds * photosPerHerd + 1, embedded: herds * photosPerHerd, failed: 1,
                               written: Date(timeIntervalSince1970: 0))
    }

    /// A card per herd, a page per herd with a tile per photo, escaped labels, encoded links, lazy images.
    func testPagesShowEveryHerdAndPhoto() {
        let pages = OverviewPages(root: "/out").render(library(herds: 3, photosPerHerd: 4))
        XCTAssertEqual(Set(pages.keys), ["index.html", "_overview/duplicates.html", "_overview/herd-01.html", "_overview/herd-02.html", "_overview/herd-03.html"])
        let index = pages["index.html"] ?? ""
        XCTAssertEqual(index.components(separatedBy: "<article class=\"herd\"").count - 1, 3)
        XCTAssertTrue(index.contains("01 · Beach &amp; &lt;Sun&gt;"), index)
        XCTAssertTrue(index.contains("href=\"01-Beach%20%26%20%3CSun%3E/\""), index)
        XCTAssertTrue(index.contains("12 photos · 3 herds · 0 duplicate groups (0 files) · 1 unreadable"), index)
        XCTAssertEqual(index.components(separatedBy: "<script").count - 1, 1, "only the optional filter")
        XCTAssertFalse(page(of: pages, "_overview/herd-01.html").contains("<script"))
        let page = pages["_overview/herd-02.html"] ?? ""
        XCTAssertEqual(page.components(separatedBy: "<figure class=\"photo\"").count - 1, 4)
        XCTAssertEqual(page.components(separatedBy: "loading=\"lazy\"").count - 1, 3, "the photo without a thumbnail has none")
        XCTAssertTrue(page.contains("href=\"../../lib/2/photo%201.jpg\""), page)
        XCTAssertTrue(page.contains("<meta name=\"viewport\""))
    }

    private func page(of pages: [String: String], _ name: String) -> String { pages[name] ?? "" }

    /// Pages are written whole; pages of herds that are gone and thumbnails no page shows are removed.
    func testWriterKeepsTheFolderExact() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let cache = try temp.folder("cache"), output = try temp.folder("out")
        for name in ["1-1.jpg", "2-1.jpg"] { try Data([0xFF, 0xD8]).write(to: URL(fileURLWithPath: cache + "/" + name)) }
        let writer = OverviewWriter(root: output, thumbnailCache: cache)
        try writer.write(OverviewPages(root: output).render(library(herds: 2, photosPerHerd: 2)), thumbnails: ["1-1.jpg", "2-1.jpg"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output + "/_overview/thumbs").sorted(), ["1-1.jpg", "2-1.jpg"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: output + "/_overview/herd-02.html"))
        try writer.write(OverviewPages(root: output).render(library(herds: 1, photosPerHerd: 2)), thumbnails: ["1-1.jpg"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: output + "/_overview/herd-02.html"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output + "/_overview/thumbs"), ["1-1.jpg"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output).filter { $0.hasPrefix(".") }, [], "no temporary file left")
    }
}
