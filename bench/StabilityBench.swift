import Clustering
import Foundation
import Index
import Tensor

/// `herd-bench stability`: the library grows from a first part (70 %) to all of it; the daemon's retrain (warm from
/// the previous head, neighbours from an HNSW index, ids matched by overlap) should keep the first part's photos in
/// clusters with the same ids. Prints that share next to the same share for clustering from scratch (cold, ids
/// matched by overlap), and the accuracy of each against the labels.
func benchStability() throws {
    let x = try Npy.readTensor(path: option("features", "../shared/data/features/coil20-clip-X.npy"))
    guard let labels = try Npy.read(path: option("labels", "../shared/data/features/coil20-clip-y.npy")).integers() else {
        throw ClusteringError("labels must be integers")
    }
    // --clusters 0: chosen from the photos as the daemon does (ClusterCount.estimate, kept while it still holds).
    let requested = intOption("clusters", Set(labels).count)
    let runs = intOption("runs", 3)
    let split = Double(option("split", "0.7")) ?? 0.7
    printEnvironment()
    print("# \(x.rows) points, \(x.columns)-d, \(requested == 0 ? "clusters chosen from the photos" : "\(requested) clusters"), first part \(Int(split * 100)) %, \(runs) runs")
    print("run  kept(warm)  kept(scratch)  ACC first  ACC warm  ACC scratch  warm s  scratch s  K first  K all")
    var keptWarm: [Double] = [], keptScratch: [Double] = []
    for run in 0..<runs {
        var rng = SplitMix64(seed: UInt64(run + 1))
        var order = Array(0..<x.rows)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        let firstCount = Int(Double(x.rows) * split)
        let all = rows(x, order)
        let first = rows(x, Array(order[0..<firstCount]))
        let truth = order.map { labels[$0] }

        // The library's first part: a cold first clustering (the daemon's first retrain).
        let firstGraph = try indexGraph(first, k: 60)
        let firstK = requested >= 2 ? requested : try ClusterCount.estimate(first, graph: firstGraph, seed: UInt64(firstCount)).clusters
        let initial = try Retraining(clusters: firstK, seed: UInt64(run) * 3 + 1)
            .run(features: first, graph: firstGraph, previous: nil, previousIDs: [Int](repeating: -1, count: firstCount))
        // The later part arrives: instant assignment by the head, as the daemon does.
        let later = initial.head.assign(rows(x, Array(order[firstCount...]))).map { initial.clusterIDs[$0] }
        let before = initial.ids + later

        var t = now()
        let allGraph = try indexGraph(all, k: 60)
        var clusters = firstK
        if requested < 2 && !ClusterCount.stillHolds(askedAt: firstCount, photos: all.rows) {
            clusters = ClusterCount.keeping(firstK, over: try ClusterCount.estimate(all, graph: allGraph, seed: UInt64(all.rows)).clusters)
        }
        let warm = try Retraining(clusters: clusters, seed: UInt64(run) * 3 + 2)
            .run(features: all, graph: allGraph, previous: initial.head, previousIDs: before)
        let warmSeconds = now() - t
        t = now()
        let scratch = try Retraining(clusters: clusters, seed: UInt64(run) * 3 + 3)
            .run(features: all, graph: allGraph, previous: nil, previousIDs: before)
        let scratchSeconds = now() - t

        func kept(_ ids: [Int]) -> Double { Double((0..<firstCount).filter { ids[$0] == initial.ids[$0] }.count) / Double(firstCount) }
        keptWarm.append(kept(warm.ids))
        keptScratch.append(kept(scratch.ids))
        let accFirst = Metrics.accuracy(truth: Array(truth[0..<firstCount]), predicted: initial.ids)
        print(String(format: "%3d  %9.1f %%  %12.1f %%  %8.1f %%  %7.1f %%  %10.1f %%  %6.1f  %9.1f  %7d  %5d", run, 100 * keptWarm.last!, 100 * keptScratch.last!,
                     100 * accFirst, 100 * Metrics.accuracy(truth: truth, predicted: warm.ids),
                     100 * Metrics.accuracy(truth: truth, predicted: scratch.ids), warmSeconds, scratchSeconds, firstK, clusters))
    }
    func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(max(v.count, 1)) }
    print(String(format: "mean: first part kept in the same cluster id: warm %.1f %% (min %.1f %%), from scratch %.1f %% (min %.1f %%)",
                 100 * mean(keptWarm), 100 * (keptWarm.min() ?? 0), 100 * mean(keptScratch), 100 * (keptScratch.min() ?? 0)))
    print(String(format: "churn of the first part: warm %.1f %%, from scratch %.1f %%", 100 * (1 - mean(keptWarm)), 100 * (1 - mean(keptScratch))))
}

/// x: [N, D], order: [M] row numbers → [M, D].
func rows(_ x: Tensor, _ order: [Int]) -> Tensor {
    let d = x.columns
    var data = [Float](); data.reserveCapacity(order.count * d)
    for i in order { data.append(contentsOf: x.data[i * d ..< (i + 1) * d]) }
    return Tensor(shape: [order.count, d], data: data)
}

/// The k nearest neighbours of every row from an HNSW index, as the daemon builds its graph (60: 20 to train on, the
/// rest to judge the result and to estimate the count).
private func indexGraph(_ x: Tensor, k: Int = 20) throws -> NeighbourGraph {
    var index = HNSWIndex(dimension: x.columns, metric: .cosine)
    for i in 0..<x.rows { try index.insert(id: i, vector: x.row(i)) }
    let n = x.rows
    var indices = [Int32](repeating: 0, count: n * k), distances = [Float](repeating: 0, count: n * k)
    for i in 0..<n {
        let found = try index.search(x.row(i), k: k + 1).filter { $0.id != i }
        for j in 0..<k {
            let neighbour = found[min(j, found.count - 1)]
            indices[i * k + j] = Int32(neighbour.id)
            distances[i * k + j] = neighbour.distance
        }
    }
    return NeighbourGraph(count: n, k: k, indices: indices, distances: distances, metric: .cosine)
}
