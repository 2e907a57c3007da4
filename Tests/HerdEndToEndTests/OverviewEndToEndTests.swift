import Foundation
import Imaging
import XCTest

/// The overview pages and the duplicates, end to end: `herd run` on real photos with exact copies, the pages opened
/// in headless Chromium and checked against the catalogue (cards, photos, links), again after a label, a merge and a
/// deletion. It uses the `byte-histogram-64` test-seam model, whose features know nothing of pictures: the two
/// near-duplicates here (a PNG copy and a 50 % resize) are found through their perceptual signatures, which the
/// daemon makes for photos the extractor did not decode. Recall is measured by `DuplicatesRecallTests`.
final class OverviewEndToEndTests: XCTestCase {
    func testOverviewPagesMatchTheCatalogueInABrowserThroughLabelMergeAndDelete() throws {
        let chromium = try Chromium.find()
        defer { chromium.remove() }
        let herd = try HerdHarness(extraEnvironment: ["HERD_TRAIN_STEPS": "150", "HERD_RETRAIN_INTERVAL_MIN": "0", "HERD_CLUSTERS": "5",
                                                          // The test seam's byte histograms say nothing about pictures: let the signatures decide.
                                                          "HERD_DUPLICATE_THRESHOLD": "0.001"])
        defer { herd.remove() }
        let photos = try HerdHarness.clothingPhotos()
        let chosen = photos.enumerated().filter { $0.offset % 6 == 0 }.map(\.element)  // 40, over every category
        try herd.copy(chosen, to: "2023")
        let copied = try herd.copy(Array(chosen.prefix(3)), to: "copies")
        // Near-duplicates, made with herd's own encoders: a PNG copy and a half-size JPEG.
        try FileManager.default.createDirectory(atPath: herd.library + "/edits", withIntermediateDirectories: true)
        let pngSource = try ImageDecoder().decode(fileAt: chosen[10]).image
        let pngCopy = herd.library + "/edits/" + ((chosen[10] as NSString).lastPathComponent as NSString).deletingPathExtension + ".png"
        try PNGEncoder.encode(pngSource).write(to: URL(fileURLWithPath: pngCopy))
        let resizeSource = try ImageDecoder().decode(fileAt: chosen[20]).image
        try JPEGEncoder.encode(Resampler.resize(resizeSource, width: resizeSource.width / 2, height: resizeSource.height / 2), quality: 85)
            .write(to: URL(fileURLWithPath: herd.library + "/edits/small.jpg"))
        try herd.initialise()
        let daemon = try herd.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }

        let screenshots = FileManager.default.temporaryDirectory.path + "/herd-overview-screenshots"
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let total = chosen.count + copied.count + 2
        XCTAssertTrue(herd.waitUntil(timeout: 180) { try self.pageCount(herd) == total }, herd.daemonLog)

        // Three exact copies: three groups, each keeper first, listed by the CLI and as folders.
        XCTAssertTrue(herd.waitUntil(timeout: 120) { try self.duplicates(herd, ["--exact"]).count == 3 }, herd.daemonLog)
        let groups = try duplicates(herd, ["--exact"])
        for group in groups {
            let members = group["members"] as? [[String: Any]] ?? []
            XCTAssertEqual(members.count, 2)
            XCTAssertEqual(group["keeper"] as? String, members.first?["path"] as? String)
            // Same pixels, no capture time: the shorter path is kept.
            XCTAssertTrue((group["keeper"] as? String ?? "").contains("/2023/"), "\(group)")
            XCTAssertEqual(group["reason"] as? String, "most pixels, shortest path")
        }
        // The two near-duplicates, each with its original as the keeper (same pixels and a path one letter shorter; more pixels).
        XCTAssertTrue(herd.waitUntil(timeout: 120) { try self.duplicates(herd, ["--near"]).count == 2 }, herd.daemonLog)
        let near = try duplicates(herd, ["--near"]).map { ($0["members"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String } }
        let original = { (path: String) in herd.library + "/2023/" + (path as NSString).lastPathComponent }
        XCTAssertEqual(Set(near.map { $0.sorted() }), [[original(chosen[10]), pngCopy].sorted(),
                                                       [original(chosen[20]), herd.library + "/edits/small.jpg"].sorted()])
        XCTAssertEqual(Set(near.compactMap(\.first)), [original(chosen[10]), original(chosen[20])], "the originals are kept")
        XCTAssertTrue(herd.waitUntil(timeout: 120) { try self.duplicateFolders(herd).count == 5 }, herd.daemonLog)
        try checkPages(herd, chromium, step: "first", screenshots: screenshots)

        // A label: the card and the page say it.
        let clusters = try json(herd, ["clusters", "--json"]) as? [[String: Any]] ?? []
        let biggest = try XCTUnwrap(clusters.max { ($0["size"] as? Int ?? 0) < ($1["size"] as? Int ?? 0) }?["id"] as? Int)
        XCTAssertEqual(try herd.run(["label", String(biggest), "Summer & <Sea>"]).status, 0)
        XCTAssertTrue(herd.waitUntil(timeout: 120) {
            (try String(contentsOfFile: herd.output + "/index.html", encoding: .utf8)).contains("Summer &amp; &lt;Sea&gt;")
        }, herd.daemonLog)
        try checkPages(herd, chromium, step: "label", screenshots: screenshots)

        // A merge: one card fewer, its page gone.
        let other = try XCTUnwrap(clusters.compactMap { $0["id"] as? Int }.first { $0 != biggest })
        XCTAssertEqual(try herd.run(["merge", String(biggest), String(other)]).status, 0)
        let otherPage = herd.output + "/_overview/" + String(format: "herd-%02d.html", other)
        XCTAssertTrue(herd.waitUntil(timeout: 120) { !FileManager.default.fileExists(atPath: otherPage) }, herd.daemonLog)
        try checkPages(herd, chromium, step: "merge", screenshots: screenshots)

        // A deletion: the photo leaves its page, and its copy's duplicate group and folder go.
        try FileManager.default.removeItem(atPath: copied[0])
        XCTAssertTrue(herd.waitUntil(timeout: 120) { try self.pageCount(herd) == total - 1 }, herd.daemonLog)
        XCTAssertTrue(herd.waitUntil(timeout: 120) { try self.duplicateFolders(herd).count == 4 }, herd.daemonLog)
        XCTAssertEqual(try duplicates(herd, ["--exact"]).count, 2)
        try checkPages(herd, chromium, step: "delete", screenshots: screenshots)

        daemon.terminate()
        daemon.waitUntilExit()
        XCTAssertEqual(daemon.terminationStatus, 0, herd.daemonLog)
    }

    /// Renders `index.html`, every herd page and the duplicates page in Chromium; checks cards and photos against
    /// `herd clusters` / `herd show`, that every link and image resolves, and saves phone and desktop screenshots.
    private func checkPages(_ herd: HerdHarness, _ chromium: Chromium, step: String, screenshots: String,
                            file: StaticString = #filePath, line: UInt = #line) throws {
        let clusters = try json(herd, ["clusters", "--json"]) as? [[String: Any]] ?? []
        let index = herd.output + "/index.html"
        // The daemon may be between two writes of the pages: wait until the page shows what the catalogue does.
        XCTAssertTrue(herd.waitUntil(timeout: 120) {
            RenderedPage(dom: try String(contentsOfFile: index, encoding: .utf8)).count(tag: "article", class: "herd") == clusters.count
        }, "\(step): index.html has a card per cluster", file: file, line: line)
        let page = RenderedPage(dom: try chromium.dom(index))
        XCTAssertEqual(page.count(tag: "article", class: "herd"), clusters.count, "\(step): cards", file: file, line: line)
        XCTAssertEqual(page.unresolved(from: index), [], "\(step): links on index.html", file: file, line: line)
        for cluster in clusters {
            let id = cluster["id"] as? Int ?? -1
            let path = herd.output + "/_overview/" + String(format: "herd-%02d.html", id)
            let shown = try json(herd, ["show", String(id), "--json"]) as? [String: Any]
            let members = (shown?["photos"] as? [Any])?.count ?? -1
            XCTAssertTrue(herd.waitUntil(timeout: 120) {
                RenderedPage(dom: try String(contentsOfFile: path, encoding: .utf8)).count(tag: "figure", class: "photo") == members
            }, "\(step): herd \(id) page lists its \(members) photos", file: file, line: line)
            let rendered = RenderedPage(dom: try chromium.dom(path))
            XCTAssertEqual(rendered.count(tag: "figure", class: "photo"), members, "\(step): herd \(id) photos", file: file, line: line)
            XCTAssertEqual(rendered.dom.components(separatedBy: "<img src=\"thumbs/").count - 1, members,
                           "\(step): herd \(id) has a thumbnail for each photo", file: file, line: line)
            XCTAssertEqual(rendered.unresolved(from: path), [], "\(step): links on herd \(id)'s page", file: file, line: line)
        }
        let duplicatesPage = herd.output + "/_overview/duplicates.html"
        let rendered = RenderedPage(dom: try chromium.dom(duplicatesPage))
        XCTAssertEqual(rendered.count(tag: "section", class: "group"), try duplicates(herd, []).count, "\(step): duplicate groups", file: file, line: line)
        XCTAssertEqual(rendered.unresolved(from: duplicatesPage), [], "\(step): links on the duplicates page", file: file, line: line)
        for (name, width, height) in [("phone", 390, 844), ("desktop", 1280, 900)] {
            let png = screenshots + "/\(step)-index-\(name).png"
            try? FileManager.default.removeItem(atPath: png)
            try chromium.screenshot(index, to: png, width: width, height: height)
            let bytes = FileManager.default.contents(atPath: png) ?? Data()
            XCTAssertEqual(Array(bytes.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "\(step): a PNG screenshot at \(png)", file: file, line: line)
        }
        try chromium.screenshot(duplicatesPage, to: screenshots + "/\(step)-duplicates-phone.png", width: 390, height: 844)
        if let first = clusters.first?["id"] as? Int {
            let png = screenshots + "/\(step)-herd-phone.png"
            try? FileManager.default.removeItem(atPath: png)
            try chromium.screenshot(herd.output + "/_overview/" + String(format: "herd-%02d.html", first), to: png, width: 390, height: 844)
        }
    }

    /// Photos on the herd pages, all pages together (0 before the first pages are written).
    private func pageCount(_ herd: HerdHarness) throws -> Int {
        let folder = herd.output + "/_overview"
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("herd-") }.reduce(0) { sum, name in
            sum + RenderedPage(dom: try String(contentsOfFile: folder + "/" + name, encoding: .utf8)).count(tag: "figure", class: "photo")
        }
    }

    /// `_duplicates/NNNN` folders, each checked: the keeper's link first, no dangling link.
    private func duplicateFolders(_ herd: HerdHarness) throws -> [String] {
        let base = herd.output + "/_duplicates"
        guard FileManager.default.fileExists(atPath: base) else { return [] }
        let folders = try FileManager.default.contentsOfDirectory(atPath: base).sorted()
        for folder in folders {
            let links = try FileManager.default.contentsOfDirectory(atPath: base + "/" + folder).sorted()
            XCTAssertTrue(links.first?.hasPrefix("00-keep-") ?? false, "\(folder): \(links)")
            for link in links {
                let target = try FileManager.default.destinationOfSymbolicLink(atPath: base + "/\(folder)/\(link)")
                let resolved = URL(fileURLWithPath: target, relativeTo: URL(fileURLWithPath: base + "/\(folder)/")).standardizedFileURL.path
                XCTAssertTrue(FileManager.default.fileExists(atPath: resolved), "dangling \(folder)/\(link)")
            }
        }
        return folders
    }

    private func duplicates(_ herd: HerdHarness, _ arguments: [String]) throws -> [[String: Any]] {
        try json(herd, ["duplicates", "--json"] + arguments) as? [[String: Any]] ?? []
    }

    private func json(_ herd: HerdHarness, _ arguments: [String]) throws -> Any {
        let result = try herd.run(arguments)
        guard result.status == 0 else { throw HarnessError(message: "herd \(arguments) failed (\(result.status)): \(result.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }
}
