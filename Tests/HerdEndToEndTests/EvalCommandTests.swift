import Foundation
import HerdTestSupport
import XCTest

/// `herd eval` on the real COIL-20 CLIP features, as a script would call it.
final class EvalCommandTests: XCTestCase {
    let features = SharedData.path + "/features/coil20-clip-X.npy"
    let labels = SharedData.path + "/features/coil20-clip-y.npy"

    func testKMeansScoresAsJSON() throws {
        let result = try HerdBinary.run(["eval", "--features", features, "--labels", labels, "--method", "kmeans", "--runs", "2", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["points"] as? Int, 1440)
        // Without --clusters the features choose the count: near COIL-20's 20 objects, with the curve it peaks on.
        let clusters = try XCTUnwrap(object["clusters"] as? Int)
        XCTAssertTrue((14...30).contains(clusters), "chose \(clusters) clusters for 20 objects")
        let count = try XCTUnwrap(object["cluster_count"] as? [String: Any])
        XCTAssertEqual(count["chosen"] as? Int, clusters)
        let counts = try XCTUnwrap(count["counts"] as? [Int]), modularity = try XCTUnwrap(count["modularity"] as? [Double])
        XCTAssertEqual(counts.count, modularity.count)
        XCTAssertEqual(counts.first, 2)
        // The fewest clusters within the peak's standard error: every smaller count tried scores lower.
        let chosen = try XCTUnwrap(counts.firstIndex(of: clusters))
        XCTAssertTrue(modularity[..<chosen].allSatisfy { $0 < modularity[chosen] }, "\(zip(counts, modularity).map { "\($0):\($1)" })")
        XCTAssertNotNil(object["wall_seconds"] as? Double)
        let method = try XCTUnwrap((object["methods"] as? [[String: Any]])?.first)
        XCTAssertEqual(method["method"] as? String, "kmeans")
        let acc = try XCTUnwrap(method["acc"] as? [String: Any])
        XCTAssertEqual((acc["runs"] as? [Double])?.count, 2)
        // k-means on these features reaches about 0.75–0.8 ACC at 20 clusters; far from chance (0.05).
        XCTAssertGreaterThan(acc["mean"] as? Double ?? 0, 0.6)
    }

    func testSwappedFilesAreRefusedWithTheirNames() throws {
        let result = try HerdBinary.run(["eval", "--features", labels, "--labels", labels])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("coil20-clip-y.npy") && result.stderr.contains("float32"), result.stderr)
    }
}
