import Foundation
import Index
import Tensor

/// One retrain as the daemon does it: warm from the previous head when it fits (same clusters and dimension), cold
/// (k-means, then the robust TSP head) otherwise; then new clusters take the ids of the old ones they overlap most.
public struct Retraining: Sendable {
    /// Clusters to make.
    public var clusters: Int
    /// Seed of the whole retrain.
    public var seed: UInt64
    /// Optimiser steps per head instead of the defaults (nil: defaults); small values keep debug-build tests fast.
    public var steps: Int?
    /// Where every loop of the retrain runs (the daemon's background pool: idle priority).
    public var pool: ComputePool

    /// What a retrain produced.
    public struct Outcome: Sendable {
        /// The new head.
        public var head: ClusterHead
        /// Head output j → stable cluster id.
        public var clusterIDs: [Int]
        /// [N] stable cluster id of every point.
        public var ids: [Int]
        /// [N] the head's probability for that cluster.
        public var probabilities: [Float]
        /// Share of points that had an id and now have another (nil when none had one).
        public var churn: Double?
        /// Final training loss.
        public var loss: Float
        /// True when trained from the previous head.
        public var warm: Bool
    }

    /// A retrain into `clusters` clusters, run on `pool` (serial unless given).
    public init(clusters: Int, seed: UInt64 = 0, steps: Int? = nil, pool: ComputePool = .serial()) {
        self.pool = pool
        self.clusters = clusters
        self.seed = seed
        self.steps = steps
    }

    /// features: [N, D]; graph: the nearest neighbours of every row (`RobustTSP.heldOutFactor`·K of them: training
    /// uses the first K, the rest judge the result); previousIDs: [N] stable id of each row before
    /// (−1 for new rows) → the outcome. `shouldStop` can end training early (shutdown).
    public func run(
        features: Tensor, graph: NeighbourGraph, previous: ClusterHead?, previousIDs: [Int], shouldStop: () -> Bool = { false }
    ) throws -> Outcome {
        precondition(previousIDs.count == features.rows && graph.count == features.rows, "one previous id and neighbour row per point")
        let result: TSPResult
        let warm = previous.map { $0.clusters == clusters && $0.dimension == features.columns } ?? false
        if let previous, warm {
            var start = WarmStart(clusters: clusters, seed: seed, pool: pool)
            if let steps { start.configuration.epochs = 0; start.configuration.minimumSteps = steps }
            result = try start.fit(features, from: previous, graph: graph, shouldStop: shouldStop)
        } else {
            var robust = RobustTSP(clusters: clusters, seed: seed, pool: pool)
            if let steps {
                robust.configuration.epochs = 1
                robust.configuration.minimumSteps = steps
                robust.configuration.kmeansRestarts = 3
            }
            result = try robust.fit(features, graph: graph, shouldStop: shouldStop)
        }
        let ids = ClusterMatching.stableIDs(previous: previousIDs, current: result.assignments, clusters: clusters)
        let p = result.head.probabilities(features)
        var pointIDs = [Int](repeating: -1, count: features.rows), probabilities = [Float](repeating: 0, count: features.rows)
        var had = 0, moved = 0
        for i in 0..<features.rows {
            let c = result.assignments[i]
            pointIDs[i] = ids[c]
            probabilities[i] = p.data[i * clusters + c]
            if previousIDs[i] >= 0 {
                had += 1
                if previousIDs[i] != pointIDs[i] { moved += 1 }
            }
        }
        return Outcome(
            head: result.head, clusterIDs: ids, ids: pointIDs, probabilities: probabilities,
            churn: had > 0 ? Double(moved) / Double(had) : nil, loss: result.finalLoss, warm: warm)
    }
}
