import Tensor
import XCTest
@testable import Index

final class ExactSearchTests: XCTestCase {
    /// Serially and on a pool of 3 threads (blocks of rows on each, per-worker scores).
    func testGraphMatchesNaiveBruteForceForBothMetrics() {
        let (x, _) = SyntheticFeatures.clustered(count: 150, dimension: 20, clusters: 5, seed: 3)
        let rows = (0..<x.rows).map { x.row($0) }
        for pool in [ComputePool.serial(), ComputePool(threads: 3)] {
            for metric in Metric.allCases {
                let graph = ExactSearch.graph(x, k: 7, metric: metric, pool: pool)
                XCTAssertEqual(graph.k, 7)
                for i in 0..<x.rows {
                    let expected = NaiveKernels.knn(rows, rows[i], k: 7, metric: metric, skip: i)
                    let got = graph.neighbours(of: i).map(\.id)
                    XCTAssertEqual(got, expected, "row \(i), \(metric), \(pool.threads) threads")
                    XCTAssertFalse(got.contains(i))
                }
            }
        }
    }

    func testDistancesAreAscendingAndKIsClampedForTinySets() {
        let (x, _) = SyntheticFeatures.clustered(count: 4, dimension: 8, clusters: 2, seed: 1)
        let graph = ExactSearch.graph(x, k: 20, metric: .l2)
        XCTAssertEqual(graph.k, 3)
        for i in 0..<4 {
            let d = graph.neighbours(of: i).map(\.distance)
            XCTAssertEqual(d, d.sorted())
        }
    }

    func testSearchOfQueriesAgainstBase() {
        let (base, _) = SyntheticFeatures.clustered(count: 300, dimension: 16, clusters: 6, seed: 5)
        let (queries, _) = SyntheticFeatures.clustered(count: 20, dimension: 16, clusters: 6, seed: 6)
        let result = ExactSearch.search(queries: queries, base: base, k: 5, metric: .cosine, pool: ComputePool(threads: 2))
        let rows = (0..<base.rows).map { base.row($0) }
        for q in 0..<queries.rows {
            XCTAssertEqual(result.neighbours(of: q).map(\.id), NaiveKernels.knn(rows, queries.row(q), k: 5, metric: .cosine))
        }
    }
}
