import Foundation
import Index
import Tensor

/// The number of clusters the photos suggest, and the curve it was read from.
public struct ClusterCountEstimate: Sendable, Equatable, Codable {
    /// The chosen count: the fewest clusters within one standard error of the highest modularity.
    public var clusters: Int
    /// The counts tried, ascending.
    public var counts: [Int]
    /// Mean modularity of the k-means partitions into each of `counts` clusters, on the nearest-neighbour graph.
    public var modularity: [Double]
}

extension ClusterCount {
    /// Neighbour ranks (0..<this) whose graph the partitions are scored on: the K = 20 the head trains on.
    public static let estimateNeighbours = 20
    /// Points each k-means fit of the scan uses at most; the others are assigned to the nearest centre.
    public static let estimateSample = 5000
    /// k-means fits (the lower-inertia of 2 seedings each) whose modularities are averaged for each count.
    public static let estimateFits = 3
    /// Photos a cluster should have at least on average: the scan stops at photos / 10 clusters.
    public static let estimateMinimumSize = 10

    /// The counts `estimate` may choose among for `photos` photos: 2 ... min(`cap`, photos / 10) (empty below 20 photos).
    public static func estimateRange(for photos: Int) -> ClosedRange<Int>? {
        let top = min(cap, photos / estimateMinimumSize)
        return top >= 2 ? 2...top : nil
    }

    /// features: [N, D]; graph: N rows of at least `estimateNeighbours` nearest neighbours (more are ignored) → the
    /// count in `range` whose k-means partitions have the highest modularity on the neighbour graph (the fewest within
    /// one standard error of it), with the curve.
    /// `size`: points the k-means fits use at most (the daemon's default; tests pass fewer).
    ///
    /// Modularity (`NeighbourAgreement.modularity`) is the share of neighbour edges inside clusters minus what a random
    /// partition of the same sizes would keep inside, so splitting a real cluster cuts edges and loses, merging two
    /// raises the expected share as much as the observed one and gains nothing. Counts are tried on a coarse grid
    /// (every count to 10, then steps of about 20 %) and refined by bisection around the best; each count's score is
    /// the mean modularity of `estimateFits` k-means fits on a seeded sample of at most `estimateSample` points.
    public static func estimate(
        _ features: Tensor, graph: NeighbourGraph, range: ClosedRange<Int>? = nil, seed: UInt64 = 0, sample size: Int = estimateSample
    ) throws -> ClusterCountEstimate {
        guard features.rank == 2, graph.count == features.rows else {
            throw ClusteringError("estimating the number of clusters needs one neighbour row per point: \(features.shape) features, \(graph.count) rows")
        }
        guard let range = range ?? estimateRange(for: features.rows), range.lowerBound >= 2, range.upperBound < features.rows else {
            throw ClusteringError("\(features.rows) points are too few to estimate a number of clusters; set the number of clusters")
        }
        let x = ClusterHead.unitRows(features)
        let sample = sampleRows(x.rows, at: size, seed: seed)
        let fitted = sample.map { rows(x, $0) } ?? x
        let ranks = 0..<min(estimateNeighbours, graph.k)
        var scores: [Int: Double] = [:], errors: [Int: Double] = [:]
        // One k-means fit's modularity varies by about ±0.006 with its seed on real features, as much as the curve
        // moves between neighbouring counts near its peak; the mean over `estimateFits` fits is steadier, and their
        // spread gives the mean's standard error.
        func score(_ k: Int) throws -> Double {
            if let known = scores[k] { return known }
            var values: [Double] = []
            for fit in 0..<estimateFits {
                let result = try KMeans(k: k, restarts: 2, maxIterations: 100, seed: seed &+ UInt64(k) &* 1000 &+ UInt64(fit)).fit(fitted)
                let assignments = sample == nil ? result.assignments : nearestCentre(x, centres: result.centres)
                values.append(NeighbourAgreement.modularity(assignments, graph: graph, ranks: ranks, clusters: k))
            }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(values.count - 1, 1))
            scores[k] = mean
            errors[k] = (variance / Double(values.count)).squareRoot()
            return mean
        }
        var grid = Array(range.lowerBound...min(range.upperBound, 10))
        var next = 10
        while next < range.upperBound {
            next = min(range.upperBound, max(next + 1, Int((Double(next) * 1.2).rounded())))
            grid.append(next)
        }
        for k in grid { _ = try score(k) }
        // Bisect between the best count and its tried neighbours until no untried count lies between them.
        while true {
            let tried = scores.keys.sorted()
            guard let best = tried.max(by: { (scores[$0] ?? 0, -$0) < (scores[$1] ?? 0, -$1) }), let at = tried.firstIndex(of: best) else { break }
            var probes: [Int] = []
            if at > 0, best - tried[at - 1] > 1 { probes.append((best + tried[at - 1]) / 2) }
            if at + 1 < tried.count, tried[at + 1] - best > 1 { probes.append((best + tried[at + 1] + 1) / 2) }
            if probes.isEmpty { break }
            for k in probes { _ = try score(k) }
        }
        let counts = scores.keys.sorted()
        let values = counts.map { scores[$0] ?? 0 }
        let best = counts.max(by: { (scores[$0] ?? 0, -$0) < (scores[$1] ?? 0, -$1) }) ?? range.lowerBound
        // The one-standard-error rule: the fewest clusters whose modularity is within the peak's standard error of
        // it. Where the curve is flat at its top the features do not tell those counts apart, and fewer, larger
        // herds are the cheaper mistake to browse and to correct.
        let floor = (scores[best] ?? 0) - (errors[best] ?? 0)
        let chosen = counts.first { (scores[$0] ?? 0) >= floor } ?? best
        return ClusterCountEstimate(clusters: chosen, counts: counts, modularity: values)
    }

    /// Whether a count chosen from the photos when the library had `askedAt` photos still holds at `photos`: the
    /// library has neither grown by half nor shrunk by a third since. Asking again on every retrain would cost a scan
    /// each time and let a 10 % growth move the count; this way the count is asked again as often as it can matter.
    public static func stillHolds(askedAt: Int, photos: Int) -> Bool {
        askedAt > 0 && photos * 2 < askedAt * 3 && photos * 3 > askedAt * 2
    }

    /// The count to make when the photos now suggest `estimated` and the previous head has `previous` (nil: none):
    /// the previous count while the suggestion is within 25 % of it, so the next retrain stays warm.
    public static func keeping(_ previous: Int?, over estimated: Int) -> Int {
        guard let previous, previous >= 2, abs(estimated - previous) * 4 < previous else { return estimated }
        return previous
    }

    /// features: [N, D] → as `estimate(_:graph:range:seed:)`, with the graph found by exact search on `pool`.
    public static func estimate(
        _ features: Tensor, range: ClosedRange<Int>? = nil, seed: UInt64 = 0, pool: ComputePool = .serial()
    ) throws -> ClusterCountEstimate {
        guard features.rank == 2, features.rows > 1 else {
            throw ClusteringError("estimating the number of clusters needs a matrix of at least 2 points, got \(features.shape)")
        }
        let x = ClusterHead.unitRows(features)
        return try estimate(x, graph: ExactSearch.graph(x, k: min(estimateNeighbours, x.rows - 1), metric: .cosine, pool: pool), range: range, seed: seed)
    }

    /// `count` seeded distinct row numbers in ascending order, or nil when there are no more rows than that.
    static func sampleRows(_ rows: Int, at count: Int, seed: UInt64) -> [Int]? {
        guard rows > count else { return nil }
        var rng = SplitMix64(seed: seed ^ 0x5EED_C0DE)
        var order = Array(0..<rows)
        for i in 0..<count {
            let j = i + Int(rng.next() % UInt64(rows - i))
            order.swapAt(i, j)
        }
        return order[0..<count].sorted()
    }

    /// x: [N, D], chosen: [M] → those rows: [M, D].
    static func rows(_ x: Tensor, _ chosen: [Int]) -> Tensor {
        let d = x.columns
        var data = [Float]()
        data.reserveCapacity(chosen.count * d)
        for i in chosen { data.append(contentsOf: x.data[i * d ..< (i + 1) * d]) }
        return Tensor(shape: [chosen.count, d], data: data)
    }

    /// x: [N, D], centres: [k, D] → the nearest centre of every row (squared Euclidean).
    static func nearestCentre(_ x: Tensor, centres: Tensor) -> [Int] {
        let k = centres.rows
        let dots = Gemm.matmulTransposed(x, centres)  // [N, D] · [k, D]ᵀ → [N, k]
        let norms = ExactSearch.squaredNorms(centres)
        return (0..<x.rows).map { i in
            var best = 0
            for c in 1..<k where norms[c] - 2 * dots.data[i * k + c] < norms[best] - 2 * dots.data[i * k + best] { best = c }
            return best
        }
    }
}
