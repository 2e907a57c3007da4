import Clustering
import Foundation
import Index
import Tensor

/// `herd-bench count`: the estimated number of clusters of a labelled set (or synthetic one), its modularity curve,
/// its time, and how it moves when the set grows: the estimate on a seeded 90 % of the rows against all of them.
func benchCount() throws {
    printEnvironment()
    let (x, y) = try loadSet()
    let classes = Set(y).count
    let unit = ClusterHead.unitRows(x)
    var t = now()
    let graph = ExactSearch.graph(unit, k: ClusterCount.estimateNeighbours, metric: .cosine)
    let graphSeconds = now() - t
    t = now()
    let all = try ClusterCount.estimate(unit, graph: graph, seed: UInt64(intOption("seed", 0)))
    let seconds = now() - t
    print("# \(x.rows) × \(x.columns), \(classes) classes; exact graph \(String(format: "%.1f", graphSeconds)) s")
    print(zip(all.counts, all.modularity).map { String(format: "%d:%.4f", $0, $1) }.joined(separator: " "))
    print(String(format: "chosen K %d for %d classes (%.2f×), %d counts tried in %.1f s", all.clusters, classes,
                 Double(all.clusters) / Double(classes), all.counts.count, seconds))
    if option("growth", "yes") != "no" {
        var rng = SplitMix64(seed: 9)
        var order = Array(0..<x.rows)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        let part = rows(unit, Array(order[0..<(x.rows * 9 / 10)]))
        let before = try ClusterCount.estimate(part, seed: UInt64(intOption("seed", 0)))
        print("growth: K \(before.clusters) on 90 % of the rows, \(all.clusters) on all of them")
    }
}

/// `herd-bench count-cost`: what choosing the count adds to a retrain, on synthetic features of the daemon's shape:
/// the estimate's time against a cold retrain (k-means + 3 heads, the daemon's first) and a warm one, on one graph.
func benchCountCost() throws {
    printEnvironment()
    let n = intOption("n", 10_000), d = intOption("d", 384), classes = intOption("clusters", 50)
    let (x, _) = SyntheticFeatures.clustered(count: n, dimension: d, clusters: classes, spread: 0.6, noise: 0.2, seed: 11)
    let unit = ClusterHead.unitRows(x)
    var t = now()
    let pool = benchPool()
    let graph = ExactSearch.graph(unit, k: 60, metric: .cosine, pool: pool)
    print(String(format: "# %d × %d, %d generated clusters; exact 60-neighbour graph %.1f s", n, d, classes, now() - t))
    t = now()
    let estimate = try ClusterCount.estimate(unit, graph: graph, seed: 1)
    let estimateSeconds = now() - t
    print(String(format: "estimate: K %d, %d counts tried, %.1f s", estimate.clusters, estimate.counts.count, estimateSeconds))
    fflush(nil)
    // --cold no: the previous head is the k-means start (no cold training), for sizes where the cold retrain is long.
    t = now()
    let start: Retraining.Outcome
    if option("cold", "yes") == "no" {
        start = try Retraining(clusters: estimate.clusters, seed: 2, steps: 1, pool: pool).run(features: unit, graph: graph, previous: nil, previousIDs: [Int](repeating: -1, count: n))
    } else {
        start = try Retraining(clusters: estimate.clusters, seed: 2, pool: pool)
            .run(features: unit, graph: graph, previous: nil, previousIDs: [Int](repeating: -1, count: n))
    }
    let coldSeconds = now() - t
    t = now()
    _ = try Retraining(clusters: estimate.clusters, seed: 3, pool: pool).run(features: unit, graph: graph, previous: start.head, previousIDs: start.ids)
    let warmSeconds = now() - t
    if option("cold", "yes") == "no" {
        print(String(format: "warm retrain %.1f s: the estimate costs %.2f× a warm retrain", warmSeconds, estimateSeconds / warmSeconds))
    } else {
        print(String(format: "cold retrain %.1f s, warm retrain %.1f s: the estimate costs %.2f× a cold and %.2f× a warm retrain",
                     coldSeconds, warmSeconds, estimateSeconds / coldSeconds, estimateSeconds / warmSeconds))
    }
}
