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
        let part = ClusterCount.rows(unit, Array(order[0..<(x.rows * 9 / 10)]))
        let before = try ClusterCount.estimate(part, seed: UInt64(intOption("seed", 0)))
        print("growth: K \(before.clusters) on 90 % of the rows, \(all.clusters) on all of them")
    }
}
