import Foundation
import Index
import Tensor

/// Retrains a head from the previous one, so a growing library keeps its clusters: no k-means, a smaller learning
/// rate, the previous head's cluster sizes as the entropy term's prior, and the previous head kept when training
/// does not keep neighbours together better. Neighbours come from the caller (the daemon's index).
public struct WarmStart: Sendable {
    /// Training knobs (clusters must match the previous head).
    public var configuration: TSPConfiguration

    /// The default warm-start configuration for `clusters` clusters: lr 1e-3, at least 1,000 steps, 20 epochs.
    public init(clusters: Int, seed: UInt64 = 0) {
        var cfg = TSPConfiguration.paper(clusters: clusters, seed: seed)
        cfg.learningRate = 1e-3
        cfg.epochs = 20
        cfg.minimumSteps = 1000
        configuration = cfg
    }

    /// features: [N, D] → the head trained on from `previous` over `weights` (N points), in chunks of at most
    /// `chunk` steps; `shouldStop` is asked between chunks and ends training early with the head so far.
    public func fit(
        _ features: Tensor, from previous: ClusterHead, weights: NeighbourWeights, chunk: Int = 500,
        shouldStop: () -> Bool = { false }
    ) throws -> TSPResult {
        let cfg = configuration
        guard features.rank == 2, features.columns == previous.dimension, previous.clusters == cfg.clusters, weights.count == features.rows else {
            throw ClusteringError(
                "a warm start needs features of the head's dimension (\(previous.dimension)), \(cfg.clusters) clusters and one neighbour row per point; got \(features.shape), \(previous.clusters) clusters, \(weights.count) rows")
        }
        let x = ClusterHead.unitRows(features)
        let start = previous.assign(x)
        let prior = TSPTrainer.proportions(start, clusters: cfg.clusters)
        var rng = SplitMix64(seed: cfg.seed)
        let (head, loss) = TSPTrainer.trainInChunks(
            previous, configuration: cfg, features: x, weights: weights, prior: prior, rng: &rng, chunk: chunk, shouldStop: shouldStop)
        let trained = head.assign(x)
        let keepPrevious = NeighbourAgreement.score(start, weights: weights, clusters: cfg.clusters)
            > NeighbourAgreement.score(trained, weights: weights, clusters: cfg.clusters)
        return TSPResult(
            head: keepPrevious ? previous : head, assignments: keepPrevious ? start : trained, finalLoss: loss,
            initialHead: previous, initialAssignments: start)
    }
}

extension RobustTSP {
    /// features: [N, D] → as `fit(_:)`, with neighbours given (e.g. from an approximate index) instead of an exact
    /// search, and training in chunks of at most `chunk` steps: `shouldStop` is asked between chunks and ends
    /// training early with the heads so far (a shutdown does not wait for a whole training).
    public func fit(_ features: Tensor, weights: NeighbourWeights, chunk: Int = 500, shouldStop: () -> Bool = { false }) throws -> TSPResult {
        let cfg = configuration
        guard features.rank == 2, features.rows > cfg.clusters, cfg.clusters >= 2, weights.count == features.rows else {
            throw ClusteringError("the TSP head needs more points than clusters and at least 2 clusters: \(features.rows) points, \(cfg.clusters) clusters")
        }
        let x = ClusterHead.unitRows(features)
        var master = SplitMix64(seed: cfg.seed)
        var best: (result: TSPResult, score: Double)?
        for _ in 0..<max(1, cfg.heads) {
            if best != nil && shouldStop() { break }
            // As TSPTrainer.fit: k-means initialisation (appendix A), then the loss of eq. 5 — here in chunks.
            var seeds = SplitMix64(seed: master.next())
            let kmeans = try KMeans(k: cfg.clusters, restarts: cfg.kmeansRestarts, seed: seeds.next()).fit(x)
            var rng = SplitMix64(seed: seeds.next())
            let start = ClusterHead(centres: kmeans.centres, temperature: cfg.temperature)
            let prior = cfg.sizePrior == .kmeans ? TSPTrainer.proportions(kmeans.assignments, clusters: cfg.clusters) : nil
            let (head, loss) = TSPTrainer.trainInChunks(
                start, configuration: cfg, features: x, weights: weights, prior: prior, rng: &rng, chunk: chunk, shouldStop: shouldStop)
            let result = TSPResult(head: head, assignments: head.assign(x), finalLoss: loss, initialHead: start, initialAssignments: start.assign(x))
            let score = NeighbourAgreement.score(result.assignments, weights: weights, clusters: cfg.clusters)
            if let b = best, b.score >= score { continue }
            best = (result, score)
        }
        guard var chosen = best?.result else { throw ClusteringError("no head was trained") }
        if guardAgainstKMeans {
            let kmeans = NeighbourAgreement.score(chosen.initialAssignments, weights: weights, clusters: cfg.clusters)
            if kmeans > best?.score ?? 0 {
                chosen.head = chosen.initialHead
                chosen.assignments = chosen.initialAssignments
            }
        }
        return chosen
    }
}

extension TSPTrainer {
    /// Trains `head` for `configuration`'s steps on unit-row features x: [N, D], in chunks of at most `chunk` steps;
    /// `shouldStop` is asked before each chunk and ends training early. Returns the head and the last loss.
    static func trainInChunks(
        _ head: ClusterHead, configuration: TSPConfiguration, features x: Tensor, weights: NeighbourWeights,
        prior: [Float]?, rng: inout SplitMix64, chunk: Int, shouldStop: () -> Bool
    ) -> (ClusterHead, Float) {
        var head = head
        var loss = Float.nan
        var remaining = configuration.steps(for: x.rows)
        while remaining > 0 && !shouldStop() {
            var part = configuration
            part.epochs = 0
            part.minimumSteps = min(chunk, remaining)
            (head, loss) = TSPTrainer(configuration: part).train(head, features: x, weights: weights, prior: prior, rng: &rng)
            remaining -= part.minimumSteps
        }
        return (head, loss)
    }
}
