import Catalog
import Clustering
import Foundation
import Tensor
import XCTest

@testable import Daemon

/// What the herds service does with the photos ingest commits: assign just those and link just those (the folders must
/// end exactly as a full comparison of every photo with the folders would leave them), and make the digests ingest
/// could not, going on from where it stopped.
final class IncrementalLinkTests: XCTestCase {
    var temp: TemporaryFolder!
    var library: String!
    var catalog: Catalog!
    var run: Int64!

    override func setUpWithError() throws {
        temp = try TemporaryFolder("herd-incremental")
        library = try temp.folder("library")
        catalog = try Catalog.openForWriting(path: temp.path + "/data/catalog.sqlite")
        run = try catalog.beginRun(kind: "test", pid: 1, modelID: "m", blasCore: nil)
    }

    override func tearDown() { temp.remove() }

    /// Adds `name` to the library and commits it as embedded with `content` and `features`.
    func commit(_ name: String, content: UInt8, features: [Float], inode: UInt64) throws {
        let path = library + "/" + name
        try Data([content]).write(to: URL(fileURLWithPath: path))
        let stat = FileStat(path: path, device: 1, inode: inode, size: 1, mtimeNanoseconds: Int64(inode))
        var changes = CatalogChanges()
        if let known = try catalog.file(atPath: path) { changes.changed = [(known.id, stat)] } else { changes.added = [stat] }
        try catalog.apply(changes)
        let file = try XCTUnwrap(catalog.file(atPath: path))
        try catalog.commit(
            [IngestOutcome(id: file.id, stat: file.stat, contentHash: Data([content]), metadata: ImageMetadata(format: "jpeg", width: 4, height: 3),
                           features: features, error: nil)],
            modelID: "m", runID: run, counters: BatchCounters(extractorCalls: 1, imagesEncoded: 1, seconds: 0.01))
    }

    /// Commits `p0.jpg`, `p1.jpg`, … with contents 1, 2, … and these features, then a head of two clusters (1 along x,
    /// 2 along y) that put photo i in cluster `clusters[i]`.
    func cluster(_ features: [[Double]], into clusters: [Int]) throws {
        for (i, vector) in features.enumerated() {
            try commit("p\(i).jpg", content: UInt8(i + 1), features: vector.map(Float.init), inode: UInt64(i + 1))
        }
        let head = ClusterHead(centres: Tensor(shape: [2, 2], data: [1, 0, 0, 1]))
        let start = clusters.enumerated().map { Assignment(contentHash: Data([UInt8($0.offset + 1)]), clusterID: $0.element, probability: 0.9) }
        _ = try catalog.commitRetrain(
            headBytes: head.serialised(), modelID: "m", clusterIDs: [1, 2], assignments: start,
            run: ClusterRun(at: Date(), reason: "test", method: "cold", photos: features.count, clusters: Set(clusters).count, loss: nil,
                            churn: nil, seconds: 0))
    }

    func herds(output: String, listings: FolderListings?) throws -> Herds {
        Herds(
            catalog: catalog, modelID: "m", configuration: HerdConfiguration(libraries: [library], output: output),
            index: try PhotoIndex(catalog: catalog, modelID: "m", cacheFolder: temp.path + "/cache-" + (output as NSString).lastPathComponent),
            logger: .test, folderListings: listings)
    }

    /// Folder → the photos its links resolve to.
    func linked(_ root: String) throws -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for folder in try FileManager.default.contentsOfDirectory(atPath: root) where !folder.hasPrefix(".") && !folder.hasPrefix("_") {
            var targets = Set<String>()
            for name in try FileManager.default.contentsOfDirectory(atPath: root + "/" + folder)
            where (try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/" + folder + "/" + name)) != nil {
                targets.insert(HerdTestPaths.real(root + "/" + folder + "/" + name))
            }
            if !targets.isEmpty { out[folder] = targets }
        }
        return out
    }

    func testCommittedPhotosAreAssignedAndLinkedAsAFullPassWould() throws {
        try cluster([[1, 0.1], [0.9, 0.2], [0.1, 1], [0.2, 0.8]], into: [1, 1, 2, 2])
        let output = temp.path + "/herds"
        let incremental = try herds(output: output, listings: FolderListings())
        try incremental.writeFolders(overview: false)

        // A new photo of cluster 2, a copy of p0 under a new name, and p1 rewritten so that it now belongs to cluster 2.
        try commit("new.jpg", content: 9, features: [0.05, 1], inode: 9)
        try commit("copy of p0.jpg", content: 1, features: [1, 0.1], inode: 10)
        try commit("p1.jpg", content: 7, features: [0.1, 0.9], inode: 2)
        let committed: Set<Data> = [Data([9]), Data([1]), Data([7])]
        XCTAssertEqual(try incremental.assignNewPhotos(forgetOrphans: false, among: committed), 2, "the new photo and the rewritten one")
        XCTAssertEqual(try incremental.assignNewPhotos(forgetOrphans: false, among: committed), 0, "already assigned")
        XCTAssertNotNil(try incremental.linkCommitted(committed))

        let reference = temp.path + "/reference"
        try herds(output: reference, listings: nil).writeFolders(overview: false)
        let lib: String = HerdTestPaths.real(library)
        let expected: [String: Set<String>] = [
            "01-unnamed": [lib + "/p0.jpg", lib + "/copy of p0.jpg"],
            "02-unnamed": [lib + "/p1.jpg", lib + "/p2.jpg", lib + "/p3.jpg", lib + "/new.jpg"],
        ]
        XCTAssertEqual(try linked(reference), expected)
        XCTAssertEqual(try linked(output), expected, "links added one by one end as a full pass leaves them")
        XCTAssertTrue(FileManager.default.fileExists(atPath: output + "/02-unnamed/" + FolderWriter.sheetName))
        // Nothing is left for a full pass to change.
        XCTAssertEqual(try incremental.writeFolders(overview: false), FolderChanges())
    }

    /// Files that moved and left: their old links go, a moved file is linked at its new path, a cluster whose last
    /// photo left loses its folder, and a sheet showing a photo that left is redone — as a full pass would leave it.
    func testMovedAndDeletedFilesEndAsAFullPassWould() throws {
        try cluster([[1, 0.1], [0.9, 0.2], [0.1, 1], [0.8, 0.3]], into: [1, 1, 2, 1])
        let output = temp.path + "/herds"
        let incremental = try herds(output: output, listings: FolderListings())
        try incremental.writeFolders(overview: false)

        // p0 moves into a sub-folder, p1 and p2 (cluster 2's only photo) are deleted.
        try FileManager.default.createDirectory(atPath: library + "/moved", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: library + "/p0.jpg", toPath: library + "/moved/p0.jpg")
        let p0 = try XCTUnwrap(catalog.file(atPath: library + "/p0.jpg"))
        var changes = CatalogChanges()
        var movedStat = p0.stat
        movedStat.path = library + "/moved/p0.jpg"
        changes.moved = [(p0.id, movedStat)]
        changes.deleted = try ["p1.jpg", "p2.jpg"].map { try XCTUnwrap(catalog.file(atPath: library + "/" + $0)).id }
        try catalog.apply(changes)
        for name in ["p1.jpg", "p2.jpg"] { try FileManager.default.removeItem(atPath: library + "/" + name) }
        let left: Set<String> = [library + "/p0.jpg", library + "/p1.jpg", library + "/p2.jpg"]
        let linkChanges = try XCTUnwrap(incremental.linkCommitted([Data([1])], removing: left))
        XCTAssertEqual(linkChanges.foldersRemoved, 1, "cluster 2 had no photo left")

        let reference = temp.path + "/reference"
        try herds(output: reference, listings: nil).writeFolders(overview: false)
        let lib: String = HerdTestPaths.real(library)
        let expected: [String: Set<String>] = ["01-unnamed": [lib + "/moved/p0.jpg", lib + "/p3.jpg"]]
        XCTAssertEqual(try linked(reference), expected)
        XCTAssertEqual(try linked(output), expected)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output + "/02-unnamed"))
        XCTAssertEqual(try catalog.sheetKeys()[1].map { Set($0.split(separator: "\n").map(String.init)) },
                       [library + "/moved/p0.jpg", library + "/p3.jpg"], "the sheet no longer shows the photos that left")
        XCTAssertEqual(try incremental.writeFolders(overview: false), FolderChanges(), "nothing left for a full pass")

        // A deletion alone: the sheet that showed the photo is redone.
        var deletion = CatalogChanges()
        deletion.deleted = [try XCTUnwrap(catalog.file(atPath: library + "/p3.jpg")).id]
        try catalog.apply(deletion)
        XCTAssertNotNil(try incremental.linkCommitted([], removing: [library + "/p3.jpg"]))
        XCTAssertEqual(try catalog.sheetKeys()[1], library + "/moved/p0.jpg")
        XCTAssertEqual(try linked(output), ["01-unnamed": [lib + "/moved/p0.jpg"]])
    }

    func testARenamedClusterLeavesTheLinksToTheFullPass() throws {
        try cluster([[1, 0]], into: [1])
        let output = temp.path + "/herds"
        let incremental = try herds(output: output, listings: FolderListings())
        try incremental.writeFolders(overview: false)
        XCTAssertTrue(try catalog.setLabel("Cats", ofCluster: 1))
        try commit("p1.jpg", content: 2, features: [1, 0.1], inode: 2)
        XCTAssertEqual(try incremental.assignNewPhotos(forgetOrphans: false, among: [Data([2])]), 1)
        XCTAssertNil(try incremental.linkCommitted([Data([2])]), "the folder is renamed by a full pass, not here")
        try incremental.writeFolders(overview: false)
        XCTAssertEqual(try linked(output), ["01-Cats": [HerdTestPaths.real(library) + "/p0.jpg", HerdTestPaths.real(library) + "/p1.jpg"]])
    }

    /// The thumbnail backfill goes on from the content it reached, and comes back for contents that arrived behind it.
    func testDigestBackfillGoesOnAndComesBackForContentsBehindIt() throws {
        let photo = try XCTUnwrap(FileManager.default.enumerator(atPath: HerdTestPaths.sharedData + "/photos/clothing")?
            .compactMap { $0 as? String }.first { $0.hasSuffix(".jpg") })
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: HerdTestPaths.sharedData + "/photos/clothing/" + photo))
        func add(_ name: String, content: UInt8, inode: UInt64) throws {
            try commit(name, content: content, features: [1, 0], inode: inode)
            try jpeg.write(to: URL(fileURLWithPath: library + "/" + name))
        }
        for i in 0..<5 { try add("p\(i).jpg", content: UInt8(100 + i), inode: UInt64(i + 1)) }
        let digests = PhotoDigests(cacheFolder: temp.path + "/cache")
        let herds = try herds(output: temp.path + "/herds", listings: nil).with(digests: digests)
        XCTAssertEqual(try herds.backfillDigests(digests), 5)
        XCTAssertEqual(digests.backfillPosition, Data([104]), "it stopped at the last content")
        XCTAssertEqual(try catalog.contentsLackingSignature(limit: 10).count, 0)
        // A content that sorts before where it stopped, and one after.
        try add("early.jpg", content: 1, inode: 20)
        try add("late.jpg", content: 200, inode: 21)
        XCTAssertEqual(try catalog.contentsLackingSignature(after: Data([104]), limit: 10).map(\.contentHash), [Data([200])])
        XCTAssertEqual(try herds.backfillDigests(digests), 2)
        XCTAssertEqual(Set(try catalog.signatures(of: [Data([1]), Data([200])]).keys), [Data([1]), Data([200])])
        XCTAssertEqual(try herds.backfillDigests(digests), 0, "nothing left")
    }
}
