import Foundation
import XCTest
@testable import Daemon
import Tensor

/// The output tree as a file manager sees it: folders of valid symlinks, updated in place.
final class FolderWriterTests: XCTestCase {
    var temp: TemporaryFolder!
    var library: String!
    var output: String!

    override func setUpWithError() throws {
        temp = try TemporaryFolder("herd-folders")
        library = try temp.folder("library")
        output = temp.path + "/herds"
        for name in ["a.jpg", "b.jpg", "c.jpg", "d.jpg"] {
            try Data(name.utf8).write(to: URL(fileURLWithPath: library + "/" + name))
        }
        try temp.folder("library/other")
        try Data("other a".utf8).write(to: URL(fileURLWithPath: library + "/other/a.jpg"))
    }

    override func tearDown() { temp.remove() }

    /// Every symlink under the output: folder → [link name: resolved target]. Fails on a dangling link.
    func tree(of root: String? = nil) throws -> [String: [String: String]] {
        let output = root ?? self.output!
        var out: [String: [String: String]] = [:]
        for folder in try FileManager.default.contentsOfDirectory(atPath: output) where !folder.hasPrefix(".") {
            var links: [String: String] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: output + "/" + folder) {
                let path = output + "/" + folder + "/" + name
                guard (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil else { continue }
                let resolved = HerdTestPaths.real(path)
                XCTAssertTrue(FileManager.default.fileExists(atPath: resolved), "dangling link \(path)")
                links[name] = resolved
            }
            out[folder] = links
        }
        return out
    }

    /// The photos each folder links to (link names aside); fails when a folder links one photo twice.
    func linked(in root: String? = nil) throws -> [String: Set<String>] {
        try tree(of: root).mapValues { links in
            let targets = Set(links.values)
            XCTAssertEqual(targets.count, links.count, "a photo linked twice in one folder: \(links)")
            return targets
        }
    }

    func testFoldersHoldOneValidLinkPerPhotoWithUniqueNames() throws {
        let writer = FolderWriter(root: output)
        let changes = try writer.apply([
            ClusterFolderPlan(clusterID: 1, label: nil, photos: [library + "/a.jpg", library + "/other/a.jpg", library + "/b.jpg"]),
            ClusterFolderPlan(clusterID: 2, label: "Beach / sea", photos: [library + "/c.jpg"], contactSheet: Data([0xFF, 0xD8])),
        ])
        XCTAssertEqual(changes.linksAdded, 4)
        let t = try tree()
        XCTAssertEqual(Set(t.keys), ["01-unnamed", "02-Beach sea"])
        XCTAssertEqual(t["01-unnamed"], ["a.jpg": library + "/a.jpg", "a (2).jpg": library + "/other/a.jpg", "b.jpg": library + "/b.jpg"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: output + "/02-Beach sea/" + FolderWriter.sheetName))
        // Same device: links are relative, so moving the whole tree keeps them working.
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: output + "/02-Beach sea/c.jpg")
        XCTAssertEqual(link, "../../library/c.jpg")
    }

    func testUpdatesAreIncrementalAndRenamesKeepTheFolder() throws {
        let writer = FolderWriter(root: output)
        try writer.apply([ClusterFolderPlan(clusterID: 3, label: nil, photos: [library + "/a.jpg", library + "/b.jpg"])])
        let before = try Syscall.lstat(output + "/03-unnamed").st_ino
        let changes = try writer.apply([ClusterFolderPlan(clusterID: 3, label: "Hats", photos: [library + "/a.jpg", library + "/d.jpg"])])
        XCTAssertEqual(changes.foldersRenamed, 1)
        XCTAssertEqual(changes.linksAdded, 1)
        XCTAssertEqual(changes.linksRemoved, 1)
        XCTAssertEqual(try Syscall.lstat(output + "/03-Hats").st_ino, before, "renamed, not rebuilt")
        XCTAssertEqual(try tree(), ["03-Hats": ["a.jpg": library + "/a.jpg", "d.jpg": library + "/d.jpg"]])
        // Applying the same plan again changes nothing.
        XCTAssertEqual(try writer.apply([ClusterFolderPlan(clusterID: 3, label: "Hats", photos: [library + "/a.jpg", library + "/d.jpg"])]),
                       FolderChanges())
    }

    func testGoneClustersAndDeletedPhotosLeaveNoLinks() throws {
        let writer = FolderWriter(root: output)
        try writer.apply([ClusterFolderPlan(clusterID: 1, label: nil, photos: [library + "/a.jpg"]),
                          ClusterFolderPlan(clusterID: 2, label: nil, photos: [library + "/b.jpg"])])
        try FileManager.default.removeItem(atPath: library + "/b.jpg")
        let changes = try writer.apply([ClusterFolderPlan(clusterID: 1, label: nil, photos: [library + "/a.jpg"])])
        XCTAssertEqual(changes.foldersRemoved, 1)
        XCTAssertEqual(try tree(), ["01-unnamed": ["a.jpg": library + "/a.jpg"]])
    }

    func testUserFilesAreNeverTouched() throws {
        let writer = FolderWriter(root: output)
        try writer.apply([ClusterFolderPlan(clusterID: 1, label: nil, photos: [library + "/a.jpg"])])
        try Data("notes".utf8).write(to: URL(fileURLWithPath: output + "/01-unnamed/notes.txt"))
        try writer.apply([])
        XCTAssertTrue(FileManager.default.fileExists(atPath: output + "/01-unnamed/notes.txt"))
        XCTAssertNil(try? FileManager.default.destinationOfSymbolicLink(atPath: output + "/01-unnamed/a.jpg"))
    }

    func testRefusesAForeignNonEmptyFolder() throws {
        let foreign = try temp.folder("Documents")
        try Data("tax".utf8).write(to: URL(fileURLWithPath: foreign + "/2024.pdf"))
        XCTAssertThrowsError(try FolderWriter(root: foreign).apply([])) { error in
            XCTAssertTrue(String(describing: error).contains("not empty and was not made by herd"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: foreign), ["2024.pdf"])
    }

    func testLeftoversOfAnInterruptedUpdateAreCleared() throws {
        let writer = FolderWriter(root: output)
        try writer.apply([ClusterFolderPlan(clusterID: 1, label: nil, photos: [library + "/a.jpg"])])
        symlink(library + "/b.jpg", output + "/01-unnamed/.herd-tmp-crashed")
        try writer.apply([ClusterFolderPlan(clusterID: 1, label: nil, photos: [library + "/a.jpg"])])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output + "/01-unnamed"), ["a.jpg"])
    }

    /// A writer that keeps what it listed gives the same tree as one that reads every folder each time, through a
    /// run of changing plans, and still notices links the user removed or added in between.
    func testKeptListingsGiveTheSameTreeAsReadingEveryFolder() throws {
        let photos = ["a.jpg", "b.jpg", "c.jpg", "d.jpg", "other/a.jpg"].map { library + "/" + $0 }
        let reference = temp.path + "/reference"
        let kept = FolderWriter(root: output, listings: FolderListings())
        var rng = SplitMix64(seed: 11)
        for step in 0..<12 {
            var plans: [Int: ClusterFolderPlan] = [:]
            for photo in photos where Int.random(in: 0..<4, using: &rng) > 0 {
                let id = Int.random(in: 1...3, using: &rng)
                plans[id, default: ClusterFolderPlan(clusterID: id, label: step % 5 == 4 ? "renamed \(id)" : nil, photos: [])].photos.append(photo)
            }
            let ordered = plans.values.sorted { $0.clusterID < $1.clusterID }
            try kept.apply(ordered)
            try FolderWriter(root: reference).apply(ordered)
            XCTAssertEqual(try linked(), try linked(in: reference), "step \(step)")
            // The user tidies a folder by hand: the next pass must see it.
            if step % 3 == 1, let folder = try FileManager.default.contentsOfDirectory(atPath: output).first(where: { !$0.hasPrefix(".") }),
               let link = try FileManager.default.contentsOfDirectory(atPath: output + "/" + folder).first(where: { $0.hasSuffix(".jpg") }) {
                try FileManager.default.removeItem(atPath: output + "/" + folder + "/" + link)
                symlink(library + "/d.jpg", output + "/" + folder + "/stray.jpg")
                try kept.apply(ordered)
                XCTAssertEqual(try linked(), try linked(in: reference), "after the user's change at step \(step)")
            }
        }
    }

    /// A folder herd alone changed, contact sheet included, is not read again; one the user changed is.
    func testFoldersAreReadAgainOnlyWhenSomethingElseChangedThem() throws {
        let listings = FolderListings()
        let writer = FolderWriter(root: output, listings: listings)
        let sheet = Data([0xFF, 0xD8, 0xFF, 0xD9])
        try writer.apply([
            ClusterFolderPlan(clusterID: 1, label: nil, photos: [library + "/a.jpg"], contactSheet: sheet),
            ClusterFolderPlan(clusterID: 2, label: nil, photos: [library + "/b.jpg"], contactSheet: sheet),
        ])
        XCTAssertEqual(listings.foldersRead, 2)
        try writer.apply([
            ClusterFolderPlan(clusterID: 1, label: nil, photos: [library + "/a.jpg", library + "/c.jpg"], contactSheet: sheet),
            ClusterFolderPlan(clusterID: 2, label: nil, photos: [library + "/b.jpg"]),
        ])
        _ = try writer.add([ClusterFolderPlan(clusterID: 2, label: nil, photos: [library + "/d.jpg"], contactSheet: sheet)])
        XCTAssertEqual(listings.foldersRead, 2, "herd's own links and sheets do not make it read a folder again")
        try FileManager.default.removeItem(atPath: output + "/01-unnamed/c.jpg")
        _ = try writer.add([ClusterFolderPlan(clusterID: 2, label: nil, photos: [library + "/d.jpg"])])
        XCTAssertEqual(listings.foldersRead, 3, "the folder the user changed is read again")
    }

    /// `add` links new photos without a plan for the rest: other links stay, a photo linked in another cluster moves,
    /// a new cluster gets its folder, and a cluster whose label changed is left to `apply`.
    func testAddLinksNewPhotosAndMovesRewrittenOnes() throws {
        let writer = FolderWriter(root: output, listings: FolderListings())
        try writer.apply([
            ClusterFolderPlan(clusterID: 1, label: nil, photos: [library + "/a.jpg", library + "/b.jpg"]),
            ClusterFolderPlan(clusterID: 2, label: "Sea", photos: [library + "/c.jpg"]),
        ])
        let changes = try XCTUnwrap(writer.add([
            ClusterFolderPlan(clusterID: 2, label: "Sea", photos: [library + "/b.jpg", library + "/d.jpg"]),
            ClusterFolderPlan(clusterID: 4, label: nil, photos: [library + "/other/a.jpg"]),
        ]))
        XCTAssertEqual(changes.linksAdded, 3)
        XCTAssertEqual(changes.linksRemoved, 1)
        XCTAssertEqual(changes.foldersCreated, 1)
        let lib: String = library
        let expected: [String: [String: String]] = [
            "01-unnamed": ["a.jpg": lib + "/a.jpg"],
            "02-Sea": ["c.jpg": lib + "/c.jpg", "b.jpg": lib + "/b.jpg", "d.jpg": lib + "/d.jpg"],
            "04-unnamed": ["a.jpg": lib + "/other/a.jpg"],
        ]
        XCTAssertEqual(try tree(), expected)
        XCTAssertEqual(try writer.add([ClusterFolderPlan(clusterID: 2, label: "Sea", photos: [library + "/d.jpg"])]), FolderChanges())
        let before = try tree()
        XCTAssertNil(try writer.add([ClusterFolderPlan(clusterID: 2, label: "Beach", photos: [library + "/a.jpg"])]))
        XCTAssertEqual(try tree(), before, "nothing changed when the folder must be renamed first")
    }

    func testFolderNames() {
        XCTAssertEqual(FolderWriter.folderName(clusterID: 7, label: "Beach"), "07-Beach")
        XCTAssertEqual(FolderWriter.folderName(clusterID: 123, label: "  a\nb  "), "123-a b")
        XCTAssertEqual(FolderWriter.folderName(clusterID: 0, label: ".."), "00-unnamed")
        XCTAssertEqual(FolderWriter.clusterID(ofFolder: "12-x-y"), 12)
        XCTAssertNil(FolderWriter.clusterID(ofFolder: "notes"))
    }
}
