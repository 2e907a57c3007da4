import Index

/// How well a partition keeps neighbours together, without labels: for each cluster, the share of its
/// members' neighbour mass that stays inside it, averaged over all clusters (an empty cluster scores 0).
/// This is the normalised association of the neighbour graph (Shi & Malik): merging two clusters leaves
/// one empty, splitting one cuts its neighbour mass, so both lower the score.
public enum NeighbourAgreement {
    /// assignments: [N] in 0..<clusters, the neighbour mass P(j|i) of eq. 4 over the same N points → score in [0, 1].
    public static func score(_ assignments: [Int], weights: NeighbourWeights, clusters: Int) -> Double {
        precondition(assignments.count == weights.count, "\(assignments.count) assignments for \(weights.count) points")
        return associate(assignments, clusters: clusters, ranks: 0..<weights.k, k: weights.k, indices: weights.indices) { weights.probabilities[$0] }
    }

    /// As `score`, over the neighbours at `ranks` of `graph` (0: the nearest), each weighing the same: the
    /// held-out check of a head trained on the nearest K neighbours is the ring of ranks K..<3K it never saw.
    public static func score(_ assignments: [Int], graph: NeighbourGraph, ranks: Range<Int>, clusters: Int) -> Double {
        precondition(assignments.count == graph.count, "\(assignments.count) assignments for \(graph.count) points")
        let ranks = ranks.clamped(to: 0..<graph.k)
        guard !ranks.isEmpty else { return 0 }
        let share = 1 / Float(ranks.count)
        return associate(assignments, clusters: clusters, ranks: ranks, k: graph.k, indices: graph.indices) { _ in share }
    }

    /// Newman's modularity of a partition on the directed graph of the neighbours at `ranks` of `graph`: the share
    /// of edges inside clusters minus the share a random graph with the same in- and out-degrees would put there,
    /// Σ_c [e_cc − out_c·in_c]. Unlike `score` it does not favour many clusters or few (merging two clusters raises
    /// the inside share and the expected share alike), so it compares partitions of different sizes and counts.
    public static func modularity(_ assignments: [Int], graph: NeighbourGraph, ranks: Range<Int>, clusters: Int) -> Double {
        precondition(assignments.count == graph.count, "\(assignments.count) assignments for \(graph.count) points")
        let ranks = ranks.clamped(to: 0..<graph.k)
        guard !ranks.isEmpty, graph.count > 0 else { return 0 }
        var inside = 0
        var outgoing = [Int](repeating: 0, count: clusters), incoming = [Int](repeating: 0, count: clusters)
        for i in 0..<graph.count {
            let c = assignments[i]
            guard c >= 0 && c < clusters else { continue }
            for j in ranks {
                let t = assignments[Int(graph.indices[i * graph.k + j])]
                guard t >= 0 && t < clusters else { continue }
                outgoing[c] += 1
                incoming[t] += 1
                if t == c { inside += 1 }
            }
        }
        let edges = Double(graph.count * ranks.count)
        var expected = 0.0
        for c in 0..<clusters { expected += Double(outgoing[c]) * Double(incoming[c]) }
        return Double(inside) / edges - expected / (edges * edges)
    }

    /// Normalised association over `ranks` of a [N, k] neighbour table, `weight(i·k + j)` the mass of one edge.
    static func associate(_ assignments: [Int], clusters: Int, ranks: Range<Int>, k: Int, indices: [Int32], weight: (Int) -> Float) -> Double {
        var inside = [Double](repeating: 0, count: clusters)
        var size = [Double](repeating: 0, count: clusters)
        for i in assignments.indices {
            let c = assignments[i]
            guard c >= 0 && c < clusters else { continue }
            size[c] += 1
            for j in ranks where assignments[Int(indices[i * k + j])] == c {
                inside[c] += Double(weight(i * k + j))
            }
        }
        var total = 0.0
        for c in 0..<clusters where size[c] > 0 { total += inside[c] / size[c] }
        return total / Double(max(clusters, 1))
    }
}

/// Scores candidate partitions of one set (heads, or a head against its k-means start) by how well they keep
/// neighbours together: on held-out neighbours — ranks K..<graph.k of a graph wider than the K the heads were
/// trained on — when the graph has them, else on the training weights. A head is trained to keep its K nearest
/// neighbours together, so agreement on those favours it; the held-out ring does not (Docs/CLUSTERING.md).
struct PartitionJudge {
    let graph: NeighbourGraph
    let weights: NeighbourWeights
    let clusters: Int
    let heldOut: Bool

    /// graph: neighbours of every point, the first `trained` of which the heads train on.
    init(graph: NeighbourGraph, trained: Int, clusters: Int, heldOut: Bool = true) {
        self.graph = graph
        self.weights = NeighbourWeights(graph: graph.prefix(trained))
        self.clusters = clusters
        self.heldOut = heldOut && graph.k > trained
    }

    /// Agreement (normalised association) of a partition.
    func score(_ assignments: [Int]) -> Double {
        heldOut
            ? NeighbourAgreement.score(assignments, graph: graph, ranks: weights.k..<graph.k, clusters: clusters)
            : NeighbourAgreement.score(assignments, weights: weights, clusters: clusters)
    }

    /// Modularity of a partition on the same neighbours as `score`.
    func modularity(_ assignments: [Int]) -> Double {
        NeighbourAgreement.modularity(assignments, graph: graph, ranks: heldOut ? weights.k..<graph.k : 0..<weights.k, clusters: clusters)
    }

    /// Whether `a` keeps neighbours together better than `b`: on agreement, and with `modularityToo` on modularity
    /// as well. Agreement averages over clusters, so it rewards a partition that keeps small clusters whole;
    /// modularity weighs edges and discounts what cluster sizes alone explain, so it rewards one whose cuts fall
    /// where neighbours are sparse whatever the sizes. The guard asks both before overruling a trained head.
    func prefers(_ a: [Int], over b: [Int], modularityToo: Bool) -> Bool {
        guard score(a) > score(b) else { return false }
        return !modularityToo || modularity(a) > modularity(b)
    }
}
