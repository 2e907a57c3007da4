import Foundation
import XCTest

/// A corrupt catalogue moved aside loses no labels: the journal in the output folder gives a rebuilt catalogue its
/// cluster numbers, labels and merged cluster count back.
final class LabelJournalEndToEndTests: XCTestCase {
    func testARebuiltCatalogueGetsItsLabelsAndMergesBack() throws {
        let herd = try HerdHarness()
        defer { herd.remove() }
        try herd.copy(try HerdHarness.clothingPhotos(), to: "all")
        try herd.initialise()
        var daemon = try herd.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        XCTAssertTrue(herd.waitUntil(timeout: 120) { try herd.status()["lastRetrain"] != nil && herd.links().count == 240 }, herd.daemonLog)

        // Name the biggest cluster and merge the two smallest.
        var clusters = try Self.clusters(herd)
        let sorted = clusters.sorted { $0.size > $1.size }
        let beach = sorted[0].id
        XCTAssertEqual(try herd.run(["label", String(beach), "Beach"]).status, 0)
        let (small, smaller) = (sorted[sorted.count - 2].id, sorted[sorted.count - 1].id)
        XCTAssertEqual(try herd.run(["merge", String(small), String(smaller)]).status, 0)
        XCTAssertTrue(herd.waitUntil(timeout: 20) { try Self.clusters(herd).count == clusters.count - 1 }, herd.daemonLog)
        clusters = try Self.clusters(herd)
        let beachMembers = Set(herd.links().filter { $0.key.contains(String(format: "/%02d-Beach/", beach)) }.values)
        XCTAssertFalse(beachMembers.isEmpty)
        herd.stop(daemon)

        // The catalogue is lost (moved aside, as `herd check` advises for a corrupt one); the output folder stays.
        let data = herd.root + "/data/herd"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: data + "/catalog.sqlite" + suffix) }
        try? FileManager.default.removeItem(atPath: herd.root + "/cache")
        daemon = try herd.start(["run"])
        XCTAssertTrue(herd.waitUntil(timeout: 120) { try herd.status()["lastRetrain"] != nil && herd.links().count == 240 }, herd.daemonLog)
        let rebuilt = try Self.clusters(herd)
        // The retrain is asked for the merged count (a head may leave a cluster of these few photos empty).
        let retrain = try XCTUnwrap(try herd.status()["lastRetrain"] as? [String: Any])
        XCTAssertEqual(retrain["clusters"] as? Int, clusters.count, "the merged cluster count is kept")
        XCTAssertLessThanOrEqual(rebuilt.count, clusters.count)
        XCTAssertEqual(rebuilt.first { $0.label == "Beach" }?.id, beach, "the label is back on the same cluster number")
        XCTAssertTrue(herd.waitUntil(timeout: 20) {
            FileManager.default.fileExists(atPath: herd.output + String(format: "/%02d-Beach", beach))
        }, herd.daemonLog)
        let kept = Set(herd.links().filter { $0.key.contains(String(format: "/%02d-Beach/", beach)) }.values).intersection(beachMembers).count
        print("rebuilt catalogue: \(kept) of \(beachMembers.count) photos back in the labelled cluster")
        XCTAssertGreaterThan(kept, 0)
        herd.stop(daemon)
    }

    static func clusters(_ herd: HerdHarness) throws -> [(id: Int, size: Int, label: String?)] {
        let result = try herd.run(["clusters", "--json"])
        let list = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        return list.map { ($0["id"] as? Int ?? -1, $0["size"] as? Int ?? 0, $0["label"] as? String) }
    }
}
