import Catalog
import Daemon
import Foundation
import XCTest

final class MergeRequestTests: XCTestCase {
    /// A merge asks the next retrain for as many clusters as the user sees after it, even when the head holds a
    /// cluster no photo chose (which `herd clusters` and the folders never show).
    func testMergeAsksTheNextRetrainForTheClustersTheUserSees() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let catalog = try Catalog.openForWriting(path: temp.path + "/data/catalog.sqlite")
        var changes = CatalogChanges()
        changes.added = (1...6).map { FileStat(path: "/lib/\($0).jpg", device: 1, inode: UInt64($0), size: 100, mtimeNanoseconds: 1) }
        try catalog.apply(changes)
        let run = try catalog.beginRun(kind: "test", pid: 1, modelID: "m", blasCore: nil)
        let outcomes = try (1...6).map { i -> IngestOutcome in
            let file = try XCTUnwrap(catalog.file(atPath: "/lib/\(i).jpg"))
            return IngestOutcome(id: file.id, stat: file.stat, contentHash: Data([UInt8(i)]), metadata: ImageMetadata(format: "jpeg", width: 4, height: 3),
                                 features: [Float(i), 1], error: nil)
        }
        try catalog.commit(outcomes, modelID: "m", runID: run, counters: BatchCounters(extractorCalls: 1, imagesEncoded: 6, seconds: 0.1))
        // A head of four clusters; the photos chose only three of them.
        let assignments = (1...6).map { Assignment(contentHash: Data([UInt8($0)]), clusterID: ($0 - 1) / 2 + 1, probability: 0.9) }
        _ = try catalog.commitRetrain(
            headBytes: [0], modelID: "m", clusterIDs: [1, 2, 3, 4], assignments: assignments,
            run: ClusterRun(at: Date(), reason: "test", method: "cold", photos: 6, clusters: 4, loss: nil, churn: nil, seconds: 0))
        XCTAssertEqual(try catalog.clusterMembership().count, 3)

        let output = try temp.folder("out")
        let herds = Herds(
            catalog: catalog, modelID: "m", configuration: HerdConfiguration(libraries: ["/lib"], output: output),
            index: try PhotoIndex(catalog: catalog, modelID: "m", cacheFolder: try temp.folder("cache")), logger: .test)
        XCTAssertEqual(try herds.apply(.merge(into: 1, from: 2)), "merged cluster 2 into 1")
        XCTAssertEqual(try catalog.clusterMembership().map(\.id), [1, 3])
        XCTAssertEqual(try catalog.setting("clusters"), "2", "two clusters are left to see, so the next retrain makes two")
        // The labels journal carries the same count for a rebuilt catalogue.
        let journal = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output + "/.herd-journal"))) as? [String: Any]
        XCTAssertEqual(journal?["clusterCount"] as? String, "2")
    }
}
