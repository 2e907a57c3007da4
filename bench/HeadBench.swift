import Clustering
import Foundation
import Index
import Tensor

/// Head training on synthetic clustered features: neighbour graph, k-means init and training timed apart.
func benchHead() throws {
    printEnvironment()
    let n = intOption("n", 100_000), d = intOption("d", 384), clusters = intOption("clusters", 100)
    let epochs = intOption("epochs", 100), k = intOption("k", 20)
    let pool = benchPool()
    let (x, labels) = SyntheticFeatures.clustered(count: n, dimension: d, clusters: clusters, seed: 1)
    let unit = ClusterHead.unitRows(x)
    let peer = peerGFLOPS()
    var t0 = now()
    let graph = ExactSearch.graph(unit, k: k, metric: .cosine, pool: pool)
    let weights = NeighbourWeights(graph: graph)
    let graphSeconds = now() - t0
    t0 = now()
    let kmeans = try KMeans(k: clusters, restarts: intOption("restarts", 1), seed: 0).fit(unit)
    let kmeansSeconds = now() - t0
    var cfg = TSPConfiguration.paper(clusters: clusters, seed: 0)
    cfg.epochs = epochs
    cfg.neighbours = k
    let trainer = TSPTrainer(configuration: cfg, pool: pool)
    var rng = SplitMix64(seed: 0)
    t0 = now()
    let (head, loss) = trainer.train(ClusterHead(centres: kmeans.centres), features: unit, weights: weights, rng: &rng)
    let trainSeconds = now() - t0
    let steps = cfg.steps(for: n)
    let acc = Metrics.accuracy(truth: labels, predicted: head.assign(unit))
    print(String(format: "head: %d × %d, %d clusters, K=%d, %d epochs = %d steps of %d, %d threads; peer GEMM %.0f GFLOP/s",
                 n, d, clusters, k, epochs, steps, cfg.batchSize, pool.threads, peer))
    print(String(format: "  exact kNN graph   %7.2f s", graphSeconds))
    print(String(format: "  k-means init      %7.2f s (%d iterations)", kmeansSeconds, kmeans.iterations))
    print(String(format: "  training          %7.2f s  (%.3f ms/step)  final loss %.4f  ACC %.3f (k-means %.3f)",
                 trainSeconds, trainSeconds * 1000 / Double(steps), loss, acc, Metrics.accuracy(truth: labels, predicted: kmeans.assignments)))
}
