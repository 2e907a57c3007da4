import Foundation
import Index
import Tensor

/// A trained head, what it assigns, and how training ended.
public struct TSPResult: Sendable {
    /// The head that was kept.
    public var head: ClusterHead
    /// [N] cluster of every training point.
    public var assignments: [Int]
    /// Mean loss over the last epoch of the kept head.
    public var finalLoss: Float
    /// The head the kept head started from (k-means centres, appendix A).
    public var initialHead: ClusterHead
    /// What the initial head assigns: the k-means partition, up to cosine-versus-Euclidean ties.
    public var initialAssignments: [Int]
}

/// Trains TSP heads: k-means initialisation, then Adam on the loss of eq. 5.
public struct TSPTrainer: Sendable {
    /// The knobs.
    public var configuration: TSPConfiguration
    /// Where the neighbour search and the head's products run (split by rows, single-threaded BLAS on each thread).
    public var pool: ComputePool

    /// A trainer with the given configuration, run on `pool` (serial unless given).
    public init(configuration: TSPConfiguration, pool: ComputePool = .serial()) {
        self.configuration = configuration
        self.pool = pool
    }

    /// features: [N, D] → the best of `heads` heads trained from k-means; neighbours by exact search
    /// unless `weights` (eq. 4 over a precomputed graph) are given.
    public func fit(_ features: Tensor, weights given: NeighbourWeights? = nil) throws -> TSPResult {
        let cfg = configuration
        guard features.rank == 2, features.rows > cfg.clusters, cfg.clusters >= 2 else {
            throw ClusteringError("the TSP head needs more points than clusters and at least 2 clusters: \(features.rows) points, \(cfg.clusters) clusters")
        }
        let x = ClusterHead.unitRows(features)
        let weights = given ?? NeighbourWeights(features: x, k: cfg.neighbours, pool: pool)
        var master = SplitMix64(seed: cfg.seed)
        var best: TSPResult?
        for _ in 0..<max(1, cfg.heads) {
            let kmeans = try KMeans(k: cfg.clusters, restarts: cfg.kmeansRestarts, seed: master.next()).fit(x)
            var rng = SplitMix64(seed: master.next())
            let start = ClusterHead(centres: kmeans.centres, temperature: cfg.temperature)
            let prior = cfg.sizePrior == .kmeans ? Self.proportions(kmeans.assignments, clusters: cfg.clusters) : nil
            let (head, loss) = train(start, features: x, weights: weights, prior: prior, rng: &rng)
            if let b = best, b.finalLoss <= loss { continue }
            best = TSPResult(head: head, assignments: head.assign(x), finalLoss: loss, initialHead: start, initialAssignments: start.assign(x))
        }
        guard let best else { throw ClusteringError("no head was trained") }
        return best
    }

    /// Add-one smoothed proportions of each cluster in `assignments`: [clusters], summing to 1.
    public static func proportions(_ assignments: [Int], clusters: Int) -> [Float] {
        var counts = [Float](repeating: 1, count: clusters)
        for a in assignments where a >= 0 && a < clusters { counts[a] += 1 }
        let total = counts.reduce(0, +)
        return counts.map { $0 / total }
    }

    /// Trains `head` on x̃: [N, D] (unit rows) for the configured steps; returns it and its mean loss over
    /// the last epoch. `prior`: cluster proportions for the entropy term (nil: uniform). Warm-starting from
    /// a previous head is calling this with that head (and, for an uneven library, its cluster proportions).
    public func train(_ head: ClusterHead, features x: Tensor, weights: NeighbourWeights, prior: [Float]? = nil,
                      rng: inout SplitMix64) -> (ClusterHead, Float) {
        let cfg = configuration
        let n = x.rows, d = x.columns
        let batch = min(cfg.batchSize, n)
        var head = head
        var adamW = Adam(parameters: head.weight.count, learningRate: cfg.learningRate)
        var adamB = Adam(parameters: head.bias.count, learningRate: cfg.learningRate)
        var order = Array(0..<n)
        var cursor = n
        let total = cfg.steps(for: n)
        let perEpoch = (n + batch - 1) / batch
        var lossSum: Float = 0, lossCount = 0
        var pairs = Tensor(shape: [2 * batch, d])
        for step in 0..<total {
            if cursor >= n {
                shuffle(&order, rng: &rng)
                cursor = 0
            }
            let size = min(batch, n - cursor)
            if pairs.rows != 2 * size { pairs = Tensor(shape: [2 * size, d]) }
            for r in 0..<size {
                let i = order[cursor + r]
                let j = weights.sample(i, rng: &rng)
                copyRow(x, i, into: &pairs, r)
                copyRow(x, j, into: &pairs, size + r)
            }
            cursor += size
            let loss = TSPLoss(head: head, pairs: pairs, entropyWeight: cfg.entropyWeight, prior: prior, pool: pool)
            adamW.update(&head.weight.data, gradient: loss.weightGradient)
            adamB.update(&head.bias, gradient: loss.biasGradient)
            if step >= total - perEpoch {
                lossSum += loss.value
                lossCount += 1
            }
        }
        return (head, lossCount > 0 ? lossSum / Float(lossCount) : .nan)
    }

    /// Fisher–Yates with the seeded generator.
    func shuffle(_ a: inout [Int], rng: inout SplitMix64) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            a.swapAt(i, j)
        }
    }

    func copyRow(_ from: Tensor, _ i: Int, into to: inout Tensor, _ r: Int) {
        let d = from.columns
        to.data.withUnsafeMutableBufferPointer { tp in
            from.data.withUnsafeBufferPointer { fp in
                guard let t = tp.baseAddress, let f = fp.baseAddress else { return }
                (t + r * d).update(from: f + i * d, count: d)
            }
        }
    }
}
