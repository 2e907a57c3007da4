import Index
import Tensor

/// herd's default clustering (`--method tsp`): the TSP head with the changes measured in
/// Docs/CLUSTERING.md. Against the paper's recipe it trains with lr 3e-3 for at least 5,000 steps
/// (small sets otherwise barely leave the initialisation), trains 3 heads from different k-means
/// seeds and keeps the one whose partition best keeps neighbours together, and falls back to the
/// untrained k-means head when that keeps neighbours together better than the chosen head (which
/// protects uneven libraries from the entropy term's pull towards equal clusters).
public struct RobustTSP: Sendable {
    /// Training configuration of every head.
    public var configuration: TSPConfiguration
    /// Pick among heads (and k-means) by neighbour agreement; false: by final loss, as SCAN does.
    public var selectByAgreement = true
    /// Keep the k-means partition when it keeps neighbours together better than every head.
    public var guardAgainstKMeans = true
    /// Points whose head probability is below this keep their k-means cluster (nil: the head decides all).
    public var confidenceFloor: Float? = nil

    /// The default configuration for `clusters` clusters.
    public init(clusters: Int, seed: UInt64 = 0) {
        var cfg = TSPConfiguration.paper(clusters: clusters, seed: seed)
        cfg.learningRate = 3e-3
        cfg.minimumSteps = 5000
        cfg.heads = 3
        configuration = cfg
    }

    /// features: [N, D] → the chosen head and its assignments (or the untrained k-means head, see above).
    public func fit(_ features: Tensor) throws -> TSPResult {
        let cfg = configuration
        guard features.rank == 2, features.rows > cfg.clusters, cfg.clusters >= 2 else {
            throw ClusteringError("the TSP head needs more points than clusters and at least 2 clusters: \(features.rows) points, \(cfg.clusters) clusters")
        }
        let x = ClusterHead.unitRows(features)
        let weights = NeighbourWeights(features: x, k: cfg.neighbours)
        var single = cfg
        single.heads = 1
        var master = SplitMix64(seed: cfg.seed)
        var best: (result: TSPResult, score: Double)?
        for _ in 0..<max(1, cfg.heads) {
            single.seed = master.next()
            let result = try TSPTrainer(configuration: single).fit(x, weights: weights)
            let score = selectByAgreement
                ? NeighbourAgreement.score(result.assignments, weights: weights, clusters: cfg.clusters)
                : -Double(result.finalLoss)
            if let b = best, b.score >= score { continue }
            best = (result, score)
        }
        guard var chosen = best?.result else { throw ClusteringError("no head was trained") }
        if let floor = confidenceFloor, chosen.head != chosen.initialHead {
            chosen.assignments = Self.consensus(head: chosen.head, x: x, start: chosen.initialAssignments, floor: floor, clusters: cfg.clusters)
        }
        if guardAgainstKMeans {
            let kmeans = NeighbourAgreement.score(chosen.initialAssignments, weights: weights, clusters: cfg.clusters)
            let head = NeighbourAgreement.score(chosen.assignments, weights: weights, clusters: cfg.clusters)
            if kmeans > head {
                chosen.head = chosen.initialHead
                chosen.assignments = chosen.initialAssignments
            }
        }
        return chosen
    }

    /// x: [N, D] unit rows → the head's cluster where its probability reaches `floor`, else the k-means
    /// cluster; head clusters are first renamed to the k-means clusters they overlap most.
    static func consensus(head: ClusterHead, x: Tensor, start: [Int], floor: Float, clusters: Int) -> [Int] {
        let p = head.probabilities(x)
        let own = head.assign(x)
        let names = ClusterMatching.stableIDs(previous: start, current: own, clusters: clusters)
        return own.indices.map { i in
            p.data[i * clusters + own[i]] >= floor && names[own[i]] < clusters ? names[own[i]] : start[i]
        }
    }
}
