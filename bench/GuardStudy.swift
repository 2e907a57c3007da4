import Clustering
import Foundation
import Index
import Tensor

/// Per seed: label-free criteria for choosing between the trained head's partition and the k-means
/// one it started from, next to the ACC of both: the data behind the guard in Docs/CLUSTERING.md.
func guardStudy() throws {
    var (x, y) = try loadSet()
    if let ratio = Double(option("imbalance", "")) { (x, y) = imbalanced(x, y, ratio: ratio) }
    let k = intOption("clusters", Set(y).count)
    let unit = ClusterHead.unitRows(x)
    let wide = ExactSearch.graph(unit, k: 60, metric: .cosine)
    for seed in 0..<UInt64(intOption("runs", 5)) {
        var method = RobustTSP(clusters: k, seed: seed)
        method.guardAgainstKMeans = false
        let r = try method.fit(unit)
        let weights = NeighbourWeights(features: unit, k: method.configuration.neighbours)
        let km = r.initialAssignments, hd = r.assignments
        func ring(_ a: [Int], _ from: Int, _ to: Int) -> Double {
            NeighbourAgreement.score(a, graph: wide, ranks: from..<to, clusters: k)
        }
        let moved = 1 - Metrics.accuracy(truth: km, predicted: hd)
        print(String(format: "seed %d ACC km %.3f hd %.3f | NA20 %.4f %.4f | ring1-10 %.4f %.4f | ring21-60 %.4f %.4f | moved %.3f",
                     seed, Metrics.accuracy(truth: y, predicted: km), Metrics.accuracy(truth: y, predicted: hd),
                     NeighbourAgreement.score(km, weights: weights, clusters: k), NeighbourAgreement.score(hd, weights: weights, clusters: k),
                     ring(km, 0, 10), ring(hd, 0, 10), ring(km, 20, 60), ring(hd, 20, 60), moved))
        fflush(nil)
    }
}
