import Foundation
import Index
import Tensor
import XCTest
@testable import Clustering

final class ClusterHeadTests: XCTestCase {
    func sampleHead() -> ClusterHead {
        var rng = SplitMix64(seed: 3)
        return ClusterHead(weight: Tensor(shape: [3, 5], data: (0..<15).map { _ in Float(rng.nextGaussian()) }),
                           bias: [0.1, -0.2, 0.3], temperature: 0.5)
    }

    func testHeadFileRoundTripsAndRefusesDamage() throws {
        let head = sampleHead()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("herd-head-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("head.bin").path
        try head.save(to: path)
        XCTAssertEqual(try ClusterHead(contentsOf: path), head)
        let bytes = head.serialised()
        XCTAssertThrowsError(try ClusterHead(bytes: Array(bytes.dropLast(9)), path: "h")) { XCTAssertTrue("\($0)".contains("truncated")) }
        XCTAssertThrowsError(try ClusterHead(bytes: Array(repeating: 0, count: 64), path: "h")) { XCTAssertTrue("\($0)".contains("not a herd head")) }
        var damaged = bytes
        damaged[30] ^= 1
        XCTAssertThrowsError(try ClusterHead(bytes: damaged, path: "h")) { XCTAssertTrue("\($0)".contains("checksum")) }
    }

    func testSuggestedClusterCount() {
        XCTAssertEqual(ClusterCount.suggested(for: 0), 1)
        XCTAssertEqual(ClusterCount.suggested(for: 10), 2)
        XCTAssertEqual(ClusterCount.suggested(for: 1000), 22)
        XCTAssertEqual(ClusterCount.suggested(for: 10000), 71)
        XCTAssertEqual(ClusterCount.suggested(for: 1_000_000), 100)
    }

    func testStableIDsFollowTheLargestOverlap() {
        // Old clusters 7 and 9; the new run swaps their numbering and adds a cluster of new photos.
        let previous = [7, 7, 7, 9, 9, 9, -1, -1]
        let current = [1, 1, 0, 0, 0, 0, 2, 2]
        XCTAssertEqual(ClusterMatching.stableIDs(previous: previous, current: current, clusters: 3), [9, 7, 10])
        XCTAssertEqual(ClusterMatching.stableIDs(previous: [-1, -1], current: [0, 1], clusters: 2), [0, 1])
    }

    func testNeighbourAgreementPrefersTheTruePartition() {
        let (x, y) = SyntheticFeatures.clustered(count: 300, dimension: 16, clusters: 3, spread: 0.2, seed: 5)
        let weights = NeighbourWeights(features: ClusterHead.unitRows(x), k: 10)
        let truth = NeighbourAgreement.score(y, weights: weights, clusters: 3)
        let merged = NeighbourAgreement.score(y.map { $0 == 2 ? 1 : $0 }, weights: weights, clusters: 3)
        let split = NeighbourAgreement.score(y.enumerated().map { $0.element == 0 && $0.offset % 2 == 0 ? 2 : $0.element }, weights: weights, clusters: 3)
        XCTAssertGreaterThan(truth, 0.95)
        XCTAssertLessThan(merged, truth)
        XCTAssertLessThan(split, truth)
    }

    func testWarmStartContinuesFromAPreviousHead() throws {
        let (x, y) = SyntheticFeatures.clustered(count: 400, dimension: 16, clusters: 4, spread: 0.3, seed: 8)
        var cfg = TSPConfiguration.paper(clusters: 4, seed: 1)
        cfg.epochs = 2
        cfg.learningRate = 3e-3
        cfg.kmeansRestarts = 2
        let first = try TSPTrainer(configuration: cfg).fit(x)
        // New photos arrive: retrain warm from the previous head on the grown set.
        let (more, _) = SyntheticFeatures.clustered(count: 500, dimension: 16, clusters: 4, spread: 0.3, seed: 8)
        let unit = ClusterHead.unitRows(more)
        var rng = SplitMix64(seed: 2)
        let (warm, _) = TSPTrainer(configuration: cfg).train(first.head, features: unit, weights: NeighbourWeights(features: unit, k: 10), rng: &rng)
        XCTAssertEqual(Metrics.accuracy(truth: y, predicted: warm.assign(x)), 1)
    }
}
