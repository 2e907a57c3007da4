import Foundation
import Index
import Tensor

/// Retrains a head from the previous one, so a growing library keeps its clusters: no k-means, a smaller learning
/// rate, the previous head's cluster sizes as the entropy term's prior, and the previous head kept when training
/// does not keep neighbours together better. Neighbours come from the caller (the daemon's index).
public struct WarmStart: Sendable {
    /// Training knobs (clusters must match the previous head).
    public var configuration: TSPConfiguration
    /// Where the head's products run.
    public var pool: ComputePool

    /// The default warm-start configuration for `clusters` clusters: lr 1e-3, at least 1,000 steps, 20 epochs; run
    /// on `pool` (serial unless given).
    public init(clusters: Int, seed: UInt64 = 0, pool: ComputePool = .serial()) {
        self.pool = pool
        var cfg = TSPConfiguration.paper(clusters: clusters, seed: seed)
        cfg.learningRate = 1e-3
        cfg.epochs = 20
        cfg.minimumSteps = 1000
        configuration = cfg
    }

    /// features: [N, D] → the head trained on from `previous` over the first K neighbours of `graph` (N rows), in
    /// chunks of at most `chunk` steps; `shouldStop` is asked between chunks and ends training early with the head
    /// so far. Neighbours beyond the first K (ideally up to `RobustTSP.heldOutFactor`·K) judge whether the trained
    /// head or the previous one keeps neighbours together better.
    public func fit(
        _ features: Tensor, from previous: ClusterHead, graph: NeighbourGraph, chunk: Int = 500,
        shouldStop: () -> Bool = { false }
    ) throws -> TSPResult {
        let cfg = configuration
        guard features.rank == 2, features.columns == previous.dimension, previous.clusters == cfg.clusters, graph.count == features.rows else {
            throw ClusteringError(
                "a warm start needs features of the head's dimension (\(previous.dimension)), \(cfg.clusters) clusters and one neighbour row per point; got \(features.shape), \(previous.clusters) clusters, \(graph.count) rows")
        }
        let judge = PartitionJudge(graph: graph, trained: cfg.neighbours, clusters: cfg.clusters)
        let x = ClusterHead.unitRows(features)
        let start = previous.assign(x)
        let prior = TSPTrainer.proportions(start, clusters: cfg.clusters)
        var rng = SplitMix64(seed: cfg.seed)
        let (head, loss) = TSPTrainer.trainInChunks(
            previous, configuration: cfg, pool: pool, features: x, weights: judge.weights, prior: prior, rng: &rng, chunk: chunk,
            shouldStop: shouldStop)
        let trained = head.assign(x)
        let keepPrevious = judge.score(start) > judge.score(trained)
        return TSPResult(
            head: keepPrevious ? previous : head, assignments: keepPrevious ? start : trained, finalLoss: loss,
            initialHead: previous, initialAssignments: start)
    }
}

extension TSPTrainer {
    /// Trains `head` for `configuration`'s steps on unit-row features x: [N, D], in chunks of at most `chunk` steps;
    /// `shouldStop` is asked before each chunk and ends training early. Returns the head and the last loss.
    static func trainInChunks(
        _ head: ClusterHead, configuration: TSPConfiguration, pool: ComputePool, features x: Tensor, weights: NeighbourWeights,
        prior: [Float]?, rng: inout SplitMix64, chunk: Int, shouldStop: () -> Bool
    ) -> (ClusterHead, Float) {
        var head = head
        var loss = Float.nan
        var remaining = configuration.steps(for: x.rows)
        while remaining > 0 && !shouldStop() {
            var part = configuration
            part.epochs = 0
            part.minimumSteps = min(chunk, remaining)
            (head, loss) = TSPTrainer(configuration: part, pool: pool).train(head, features: x, weights: weights, prior: prior, rng: &rng)
            remaining -= part.minimumSteps
        }
        return (head, loss)
    }
}
