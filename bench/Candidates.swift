import Clustering
import Foundation
import Index
import Tensor

/// Per seed: every partition the default could return (k-means starts, robust heads, the paper's head) with its ACC,
/// NMI and label-free criteria, so a selection rule can be judged against ACC.
func candidates() throws {
    var (x, y) = try loadSet()
    if let ratio = Double(option("imbalance", "")) { (x, y) = imbalanced(x, y, ratio: ratio) }
    let k = intOption("clusters", Set(y).count)
    let unit = ClusterHead.unitRows(x)
    let graph = ExactSearch.graph(unit, k: 60, metric: .cosine)
    let weights = NeighbourWeights(graph: graph.prefix(20))
    printEnvironment()
    print("# \(x.rows) × \(x.columns), \(k) clusters")
    for seed in 0..<UInt64(intOption("runs", 3)) {
        var parts: [(String, [Int])] = []
        var single = RobustTSP(clusters: k, seed: seed).configuration
        single.heads = 1
        var master = SplitMix64(seed: single.seed)
        for h in 0..<3 {
            single.seed = master.next()
            let r = try TSPTrainer(configuration: single).fit(unit, weights: weights)
            parts.append(("km\(h)", r.initialAssignments))
            parts.append(("robust\(h)", r.assignments))
        }
        let paper = try TSPTrainer(configuration: .paper(clusters: k, seed: seed)).fit(unit, weights: weights)
        parts.append(("paperkm", paper.initialAssignments))
        parts.append(("paper", paper.assignments))
        for (name, a) in parts {
            let ring = NeighbourAgreement.score(a, graph: graph, ranks: 20..<60, clusters: k)
            let near = NeighbourAgreement.score(a, graph: graph, ranks: 0..<10, clusters: k)
            let na20 = NeighbourAgreement.score(a, weights: weights, clusters: k)
            let others = parts.filter { $0.0 != name }.map { Metrics.adjustedRandIndex(truth: $0.1, predicted: a) }
            let consensus = others.reduce(0, +) / Double(max(others.count, 1))
            let edges = ringEdgeShare(a, graph: graph, ranks: 20..<60)
            var share = [Double](repeating: 0, count: k), incoming = [Double](repeating: 0, count: k)
            for c in a { share[c] += 1 / Double(a.count) }
            for i in 0..<graph.count { for j in 20..<60 { incoming[a[Int(graph.indices[i * graph.k + j])]] += 1 / Double(graph.count * 40) } }
            let modularity = edges - zip(share, incoming).map { $0 * $1 }.reduce(0, +)
            print(String(format: "seed %d %-8@ ACC %.3f NMI %.3f | ring %.4f near %.4f na20 %.4f edge %.4f mod %.4f cons %.4f",
                         seed, name as NSString, Metrics.accuracy(truth: y, predicted: a), Metrics.normalisedMutualInformation(truth: y, predicted: a),
                         ring, near, na20, edges, modularity, consensus))
        }
        fflush(nil)
    }
}

/// Share of all edges at `ranks` whose two ends share a cluster (not averaged per cluster).
func ringEdgeShare(_ a: [Int], graph: NeighbourGraph, ranks: Range<Int>) -> Double {
    var inside = 0
    for i in 0..<graph.count { for j in ranks where a[Int(graph.indices[i * graph.k + j])] == a[i] { inside += 1 } }
    return Double(inside) / Double(graph.count * ranks.count)
}
