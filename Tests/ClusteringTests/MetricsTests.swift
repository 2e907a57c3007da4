import XCTest
@testable import Clustering
import Index
import Tensor

final class MetricsTests: XCTestCase {
    func testMetricsMatchScikitLearnOnFixtures() {
        for f in metricFixtures {
            XCTAssertEqual(Metrics.accuracy(truth: f.truth, predicted: f.predicted), f.accuracy, accuracy: 1e-12, f.name)
            XCTAssertEqual(Metrics.normalisedMutualInformation(truth: f.truth, predicted: f.predicted), f.nmi, accuracy: 1e-12, f.name)
            XCTAssertEqual(Metrics.adjustedRandIndex(truth: f.truth, predicted: f.predicted), f.ari, accuracy: 1e-12, f.name)
        }
    }

    func testPerfectClusteringUnderRelabellingScoresOne() {
        let truth = [0, 0, 1, 1, 2, 2], predicted = [7, 7, 3, 3, 5, 5]
        let s = Scores(truth: truth, predicted: predicted)
        XCTAssertEqual(s.accuracy, 1)
        XCTAssertEqual(s.nmi, 1, accuracy: 1e-12)
        XCTAssertEqual(s.ari, 1)
    }

    /// Naive twin: the best assignment by trying every injection of rows into columns.
    func bruteForceCost(_ cost: [[Double]]) -> Double {
        let rows = cost.count, columns = cost[0].count
        var best = Double.infinity
        func go(_ i: Int, _ used: Set<Int>, _ total: Double) {
            if used.count == min(rows, columns) {
                best = min(best, total)
                return
            }
            if i == rows { return }
            if rows > columns { go(i + 1, used, total) }  // a row may stay unassigned
            for j in 0..<columns where !used.contains(j) { go(i + 1, used.union([j]), total + cost[i][j]) }
        }
        go(0, [], 0)
        return best
    }

    func testHungarianMatchesBruteForceOnRectangularMatrices() {
        var rng = SplitMix64(seed: 5)
        for (rows, columns) in [(3, 3), (4, 6), (6, 4), (5, 5), (1, 4), (4, 1)] {
            for _ in 0..<5 {
                let cost = (0..<rows).map { _ in (0..<columns).map { _ in Double(rng.next() % 20) - 5 } }
                let assignment = Hungarian.assign(cost: cost)
                let used = assignment.compactMap { $0 }
                XCTAssertEqual(used.count, min(rows, columns))
                XCTAssertEqual(Set(used).count, used.count)
                var total = 0.0
                for (i, j) in assignment.enumerated() { if let j { total += cost[i][j] } }
                XCTAssertEqual(total, bruteForceCost(cost), accuracy: 1e-9, "\(rows)×\(columns)")
            }
        }
    }
}
