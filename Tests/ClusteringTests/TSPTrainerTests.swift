import Index
import Tensor
import XCTest
@testable import Clustering

final class TSPTrainerTests: XCTestCase {
    func testTrainingIsDeterministicForASeedAndLowersTheLoss() throws {
        let (x, _) = SyntheticFeatures.clustered(count: 300, dimension: 16, clusters: 5, seed: 21)
        var cfg = TSPConfiguration.paper(clusters: 5, seed: 4)
        cfg.epochs = 3
        cfg.kmeansRestarts = 2
        let a = try TSPTrainer(configuration: cfg).fit(x)
        let b = try TSPTrainer(configuration: cfg).fit(x)
        XCTAssertEqual(a.head, b.head)
        XCTAssertEqual(a.assignments, b.assignments)

        let unit = ClusterHead.unitRows(x)
        let weights = NeighbourWeights(features: unit, k: 10)
        var rng = SplitMix64(seed: 1)
        var long = cfg
        long.minimumSteps = 200
        long.learningRate = 1e-3
        let start = ClusterHead(centres: try KMeans(k: 5, restarts: 1, seed: 2).fit(unit).centres)
        let (_, early) = TSPTrainer(configuration: cfg).train(start, features: unit, weights: weights, rng: &rng)
        let (_, late) = TSPTrainer(configuration: long).train(start, features: unit, weights: weights, rng: &rng)
        XCTAssertLessThan(late, early)
    }

    func testTooFewPointsThrows() {
        XCTAssertThrowsError(try TSPTrainer(configuration: .paper(clusters: 10)).fit(Tensor(shape: [5, 3], repeating: 1)))
    }
}
