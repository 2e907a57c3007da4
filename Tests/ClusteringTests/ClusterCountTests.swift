import Foundation
import Index
import Tensor
import XCTest
@testable import Clustering

/// The number of clusters chosen from the features: modularity, and the scan that reads its peak.
final class ClusterCountTests: XCTestCase {
    /// Two groups of 4 whose neighbours all lie inside their own group: the right split has modularity ½ (all
    /// edges inside, half expected by chance), one cluster has 0, and cutting each group in two loses.
    func testModularityPeaksAtTheGroupsTheNeighboursKeep() {
        let n = 8
        let group = (0..<n).map { $0 / 4 }
        var indices: [Int32] = []
        for i in 0..<n { indices += (0..<n).filter { $0 != i && group[$0] == group[i] }.map(Int32.init) }
        let graph = NeighbourGraph(count: n, k: 3, indices: indices, distances: [Float](repeating: 0.1, count: n * 3), metric: .cosine)
        let two = NeighbourAgreement.modularity(group, graph: graph, ranks: 0..<3, clusters: 2)
        let one = NeighbourAgreement.modularity([Int](repeating: 0, count: n), graph: graph, ranks: 0..<3, clusters: 1)
        let four = NeighbourAgreement.modularity((0..<n).map { $0 / 2 }, graph: graph, ranks: 0..<3, clusters: 4)
        XCTAssertEqual(two, 0.5, accuracy: 1e-12)
        XCTAssertEqual(one, 0, accuracy: 1e-12)
        // Pairs: 1 of each point's 3 edges stays inside (1/3), chance keeps 1/4.
        XCTAssertEqual(four, 1.0 / 3 - 0.25, accuracy: 1e-12)
    }

    /// Well-separated clusters of a known count, balanced and uneven: the estimate is that count.
    func testEstimateFindsTheCountOfSeparatedClusters() throws {
        for (clusters, count) in [(4, 400), (13, 1300)] {
            let (x, _) = SyntheticFeatures.clustered(count: count, dimension: 32, clusters: clusters, seed: UInt64(clusters))
            let estimate = try ClusterCount.estimate(x, seed: 1)
            print("\(clusters) clusters of \(count / clusters): chosen \(estimate.clusters), curve \(zip(estimate.counts, estimate.modularity).map { "\($0):\($1)" })")
            XCTAssertEqual(estimate.clusters, clusters)
            XCTAssertEqual(estimate.counts, estimate.counts.sorted())
            XCTAssertEqual(estimate.counts.first, 2)
            XCTAssertEqual(estimate.counts.last, min(ClusterCount.cap, count / ClusterCount.estimateMinimumSize))
            let best = try XCTUnwrap(estimate.counts.firstIndex(of: clusters))
            XCTAssertEqual(estimate.modularity[best], estimate.modularity.max())
        }
        // Uneven: cluster c of 9 keeps its first 200 / 2^(c/3) points (200 down to 31; clusters smaller than the 20
        // neighbours the graph has are not seen as clusters, Docs/CLUSTERING.md).
        let (x, y) = SyntheticFeatures.clustered(count: 1800, dimension: 32, clusters: 9, seed: 5)
        var seen = [Int](repeating: 0, count: 9)
        let kept = y.indices.filter { i in
            guard Double(seen[y[i]] + 1) <= 200 / pow(2, Double(y[i]) / 3) else { return false }
            seen[y[i]] += 1
            return true
        }
        let estimate = try ClusterCount.estimate(ClusterCount.rows(x, kept), seed: 1)
        XCTAssertEqual(seen.min(), 31)
        XCTAssertEqual(estimate.clusters, 9, "uneven sizes \(seen): \(zip(estimate.counts, estimate.modularity).map { "\($0):\($1)" })")
    }

    /// A library that grows by 10 % keeps its count.
    func testEstimateKeepsItsCountWhenTheLibraryGrowsByTenPercent() throws {
        let (x, _) = SyntheticFeatures.clustered(count: 1100, dimension: 32, clusters: 8, spread: 0.6, noise: 0.2, seed: 9)
        let before = try ClusterCount.estimate(ClusterCount.rows(x, Array(0..<1000)), seed: 1)
        let after = try ClusterCount.estimate(x, seed: 1)
        XCTAssertEqual(before.clusters, after.clusters)
        XCTAssertEqual(after.clusters, 8)
    }

    /// Above `estimateSample` points the k-means fits use a sample and every point is assigned to its nearest centre.
    func testEstimateOnASampleFindsTheCount() throws {
        let (x, _) = SyntheticFeatures.clustered(count: 600, dimension: 16, clusters: 6, seed: 3)
        let unit = ClusterHead.unitRows(x)
        let graph = ExactSearch.graph(unit, k: ClusterCount.estimateNeighbours, metric: .cosine)
        XCTAssertNil(ClusterCount.sampleRows(600, at: 600, seed: 0))
        let sample = try XCTUnwrap(ClusterCount.sampleRows(600, at: 200, seed: 0))
        XCTAssertEqual(Set(sample).count, 200)
        XCTAssertEqual(sample, sample.sorted())
        XCTAssertEqual(try ClusterCount.estimate(unit, graph: graph, range: 2...20, seed: 0, sample: 200).clusters, 6)
    }

    func testTooFewPointsAskForACount() {
        let (x, _) = SyntheticFeatures.clustered(count: 15, dimension: 8, clusters: 2, seed: 1)
        XCTAssertNil(ClusterCount.estimateRange(for: 15))
        XCTAssertEqual(ClusterCount.estimateRange(for: 40), 2...4)
        XCTAssertThrowsError(try ClusterCount.estimate(x)) { error in
            XCTAssertTrue("\(error)".contains("set the number of clusters"), "\(error)")
        }
    }
}
