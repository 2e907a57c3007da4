import Foundation
import Index
import Tensor

/// Centres, assignments and inertia of a k-means fit.
public struct KMeansResult: Sendable {
    /// [k, D] cluster centres.
    public var centres: Tensor
    /// [N] cluster of every point.
    public var assignments: [Int]
    /// Σ squared distance of every point to its centre.
    public var inertia: Double
    /// Lloyd iterations of the chosen restart.
    public var iterations: Int
}

/// k-means++ seeding (greedy, as scikit-learn) then Lloyd iterations with GEMM distances,
/// several seeded restarts keeping the lowest inertia, and empty clusters moved to far points.
public struct KMeans: Sendable {
    /// Number of clusters.
    public var k: Int
    /// Independent seedings; the fit with the lowest inertia wins.
    public var restarts: Int
    /// Lloyd iterations per restart at most.
    public var maxIterations: Int
    /// Stop when the centres move less than this fraction of the data's mean variance.
    public var tolerance: Double
    /// Seed of the whole fit; the same seed gives the same result.
    public var seed: UInt64

    /// A k-means configuration; defaults follow scikit-learn (300 iterations, tolerance 1e-4).
    public init(k: Int, restarts: Int = 10, maxIterations: Int = 300, tolerance: Double = 1e-4, seed: UInt64 = 0) {
        self.k = k
        self.restarts = restarts
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.seed = seed
    }

    /// x: [N, D] → the best of `restarts` fits. Throws when there are fewer points than clusters.
    public func fit(_ x: Tensor) throws -> KMeansResult {
        guard x.rank == 2, x.rows >= max(k, 1), k >= 1 else {
            throw ClusteringError("k-means needs at least as many points as clusters: \(x.rows) points, \(k) clusters; ask for fewer clusters")
        }
        let norms = ExactSearch.squaredNorms(x)
        let threshold = tolerance * meanVariance(x)
        var master = SplitMix64(seed: seed)
        var rng = SplitMix64(seed: master.next())
        var best = lloyd(x, norms: norms, centres: seedCentres(x, norms: norms, rng: &rng), threshold: threshold)
        for _ in 1..<max(1, restarts) {
            rng = SplitMix64(seed: master.next())
            let result = lloyd(x, norms: norms, centres: seedCentres(x, norms: norms, rng: &rng), threshold: threshold)
            if result.inertia < best.inertia { best = result }
        }
        return best
    }

    /// x: [N, D] → mean over dimensions of the per-dimension variance.
    func meanVariance(_ x: Tensor) -> Double {
        let n = x.rows, d = x.columns
        var mean = [Double](repeating: 0, count: d), sq = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for j in 0..<d {
                let v = Double(x.data[i * d + j])
                mean[j] += v
                sq[j] += v * v
            }
        }
        var total = 0.0
        for j in 0..<d { total += sq[j] / Double(n) - (mean[j] / Double(n)) * (mean[j] / Double(n)) }
        return total / Double(d)
    }
}
