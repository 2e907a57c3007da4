import Index
import Tensor
import XCTest
@testable import Clustering

final class KMeansTests: XCTestCase {
    func testSeparatedBlobsAreRecoveredExactlyAndRepeatably() throws {
        let (x, labels) = SyntheticFeatures.clustered(count: 400, dimension: 16, clusters: 8, spread: 0.1, noise: 0.05, seed: 4)
        let a = try KMeans(k: 8, restarts: 3, seed: 9).fit(x)
        let b = try KMeans(k: 8, restarts: 3, seed: 9).fit(x)
        XCTAssertEqual(Metrics.accuracy(truth: labels, predicted: a.assignments), 1)
        XCTAssertEqual(a.assignments, b.assignments)
        XCTAssertEqual(a.centres, b.centres)
    }

    func testAssignmentMatchesNaiveNearestCentre() throws {
        let (x, _) = SyntheticFeatures.clustered(count: 200, dimension: 12, clusters: 5, seed: 8)
        let fit = try KMeans(k: 5, restarts: 1, seed: 1).fit(x)
        var inertia = 0.0
        for i in 0..<x.rows {
            let distances = (0..<5).map { c in
                (0..<12).reduce(0.0) { s, p in
                    let v = Double(x.data[i * 12 + p]) - Double(fit.centres.data[c * 12 + p])
                    return s + v * v
                }
            }
            let nearest = distances.indices.min { distances[$0] < distances[$1] } ?? -1
            XCTAssertEqual(fit.assignments[i], nearest)
            inertia += distances[nearest]
        }
        XCTAssertEqual(fit.inertia, inertia, accuracy: 1e-3 * inertia)
    }

    func testNoClusterIsLeftEmptyWithDuplicatedPoints() throws {
        // 30 copies of 3 points and 2 outliers: seeding picks duplicates, the repair must fill every cluster.
        var rows: [Float] = []
        for i in 0..<30 { rows += [Float(i % 3), 0] }
        rows += [10, 10, -10, 10]
        let fit = try KMeans(k: 5, restarts: 2, seed: 3).fit(Tensor(shape: [32, 2], data: rows))
        XCTAssertEqual(Set(fit.assignments).count, 5)
    }

    func testTooFewPointsThrowsAClearError() {
        XCTAssertThrowsError(try KMeans(k: 5).fit(Tensor(shape: [3, 2]))) { error in
            XCTAssertTrue("\(error)".contains("fewer clusters"))
        }
    }
}
