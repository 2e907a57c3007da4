import Foundation
import Index
import Tensor
import XCTest
@testable import Clustering

/// The default method's choices: held-out neighbours judge heads and the guard against k-means.
final class RobustTSPTests: XCTestCase {
    func testGraphPrefixKeepsTheNearestNeighbours() {
        let (x, _) = SyntheticFeatures.clustered(count: 120, dimension: 8, clusters: 3, seed: 2)
        let wide = ExactSearch.graph(x, k: 30, metric: .cosine)
        let narrow = ExactSearch.graph(x, k: 10, metric: .cosine)
        let cut = wide.prefix(10)
        XCTAssertEqual(cut.k, 10)
        XCTAssertEqual(cut.indices, narrow.indices)
        XCTAssertEqual(cut.distances, narrow.distances)
        XCTAssertEqual(wide.prefix(50), wide)
    }

    func testHeldOutAgreementReadsOnlyTheGivenRanks() {
        // Every point's first 2 neighbours are in its own half, the next 2 in the other half.
        let n = 8
        let halves = (0..<n).map { $0 < n / 2 ? 0 : 1 }
        var indices: [Int32] = []
        for i in 0..<n {
            let own = (0..<n).filter { $0 != i && halves[$0] == halves[i] }.prefix(2)
            let other = (0..<n).filter { halves[$0] != halves[i] }.prefix(2)
            indices += (Array(own) + Array(other)).map(Int32.init)
        }
        let graph = NeighbourGraph(count: n, k: 4, indices: indices, distances: [Float](repeating: 0.1, count: n * 4), metric: .cosine)
        XCTAssertEqual(NeighbourAgreement.score(halves, graph: graph, ranks: 0..<2, clusters: 2), 1)
        XCTAssertEqual(NeighbourAgreement.score(halves, graph: graph, ranks: 2..<4, clusters: 2), 0)
        XCTAssertEqual(NeighbourAgreement.score(halves, graph: graph, ranks: 0..<4, clusters: 2), 0.5, accuracy: 1e-9)
        XCTAssertEqual(NeighbourAgreement.score(halves, graph: graph, ranks: 2..<40, clusters: 2), 0, "ranks are clamped to the graph")
    }

    /// Isotropic blobs: the neighbours say nothing the centroids do not, and the trained head moves boundary
    /// points the wrong way; the default must notice on held-out neighbours and give back the k-means partition.
    func testDefaultKeepsKMeansWhereNeighboursAddNothing() throws {
        let (x, y) = SyntheticFeatures.clustered(count: 800, dimension: 32, clusters: 5, spread: 0.5, noise: 2.0, seed: 77)
        var unguarded = RobustTSP(clusters: 5, seed: 0)
        unguarded.guardAgainstKMeans = false
        let head = try unguarded.fit(x)
        let chosen = try RobustTSP(clusters: 5, seed: 0).fit(x)
        let kmeans = try ClusteringMethod.kmeans.cluster(x, clusters: 5, seed: 0)
        let accuracy = (head: Metrics.accuracy(truth: y, predicted: head.assignments),
                        chosen: Metrics.accuracy(truth: y, predicted: chosen.assignments),
                        kmeans: Metrics.accuracy(truth: y, predicted: kmeans))
        print("isotropic blobs, seed 0: head ACC \(accuracy.head), default \(accuracy.chosen), k-means \(accuracy.kmeans)")
        XCTAssertLessThan(accuracy.head, accuracy.kmeans - 0.005, "the set no longer shows the head's loss; pick another")
        XCTAssertEqual(chosen.assignments, chosen.initialAssignments, "the guard kept the head")
        XCTAssertGreaterThanOrEqual(accuracy.chosen, accuracy.kmeans - 0.003)
    }
}

final class SelfLabellingTests: XCTestCase {
    /// Training on its own confident points makes a head surer of them (cross-entropy falls, the least sure of
    /// them rises) without relabelling any.
    func testSelfLabellingSharpensConfidentPointsAndKeepsTheirLabels() throws {
        let (x, _) = SyntheticFeatures.clustered(count: 300, dimension: 16, clusters: 3, spread: 0.3, seed: 4)
        let unit = ClusterHead.unitRows(x)
        var cfg = TSPConfiguration.paper(clusters: 3, seed: 1)
        cfg.learningRate = 3e-3
        cfg.minimumSteps = 300
        cfg.kmeansRestarts = 2
        let head = try TSPTrainer(configuration: cfg).fit(unit).head
        var labelling = SelfLabelling()
        labelling.threshold = 0.5
        let after = labelling.train(head, features: unit)
        let before = head.probabilities(unit), later = after.probabilities(unit)
        let labels = head.assign(unit), laterLabels = after.assign(unit)
        var confident = 0, kept = 0
        var logBefore: Float = 0, logAfter: Float = 0, leastBefore: Float = 1, leastAfter: Float = 1
        for i in 0..<unit.rows where before.data[i * 3 + labels[i]] >= 0.5 {
            confident += 1
            if laterLabels[i] == labels[i] { kept += 1 }
            logBefore += log(before.data[i * 3 + labels[i]])
            logAfter += log(later.data[i * 3 + labels[i]])
            leastBefore = min(leastBefore, before.data[i * 3 + labels[i]])
            leastAfter = min(leastAfter, later.data[i * 3 + labels[i]])
        }
        XCTAssertGreaterThan(confident, 250)
        XCTAssertEqual(kept, confident)
        XCTAssertGreaterThan(logAfter, logBefore * 0.8, "cross-entropy on the pseudo-labels fell by less than 20%")
        XCTAssertGreaterThan(leastAfter, leastBefore)
    }
}
