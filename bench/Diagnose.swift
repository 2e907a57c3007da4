import Clustering
import Foundation
import Index
import Tensor

/// Per seed: neighbour agreement and ACC of the k-means start and of the trained head, and the head's
/// mean confidence: the data behind the choice of guard in Docs/CLUSTERING.md.
func diagnose() throws {
    var (x, y) = try loadSet()
    if let ratio = Double(option("imbalance", "")) { (x, y) = imbalanced(x, y, ratio: ratio) }
    let k = intOption("clusters", Set(y).count)
    let unit = ClusterHead.unitRows(x)
    for seed in 0..<UInt64(intOption("runs", 5)) {
        var cfg = RobustTSP(clusters: k, seed: seed).configuration
        cfg.heads = 1
        if option("prior", "") == "kmeans" { cfg.sizePrior = .kmeans }
        let weights = NeighbourWeights(features: unit, k: cfg.neighbours)
        let r = try TSPTrainer(configuration: cfg).fit(unit, weights: weights)
        let p = r.head.probabilities(unit)
        var confident = 0
        for i in 0..<unit.rows where (0..<k).map({ p.data[i * k + $0] }).max() ?? 0 > 0.9 { confident += 1 }
        print(String(format: "seed %d: start NA %.4f ACC %.3f | head NA %.4f ACC %.3f | confident %.2f",
                     seed, NeighbourAgreement.score(r.initialAssignments, weights: weights, clusters: k),
                     Metrics.accuracy(truth: y, predicted: r.initialAssignments),
                     NeighbourAgreement.score(r.assignments, weights: weights, clusters: k),
                     Metrics.accuracy(truth: y, predicted: r.assignments), Double(confident) / Double(unit.rows)))
    }
}
