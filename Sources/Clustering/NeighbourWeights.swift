import Foundation
import Index
import Tensor

/// The neighbour distribution of eq. 4: for every point its K nearest neighbours j with
/// P(j|i) ∝ exp(−‖x̃i − x̃j‖² / 2σi²), σi = half the distance from x̃i to its 3rd nearest neighbour.
public struct NeighbourWeights: Sendable {
    /// Points.
    public var count: Int
    /// Neighbours per point.
    public var k: Int
    /// [count, k] neighbour rows, closest first.
    public var indices: [Int32]
    /// [count, k] P(j|i); each row sums to 1.
    public var probabilities: [Float]

    /// Weights from a neighbour graph (cosine distances on unit vectors or squared L2 distances).
    public init(graph: NeighbourGraph) {
        count = graph.count
        k = graph.k
        indices = graph.indices
        probabilities = [Float](repeating: 0, count: graph.count * graph.k)
        guard k > 0 else { return }
        let third = min(2, k - 1)
        for i in 0..<count {
            // Squared Euclidean distances: for unit vectors ‖a − b‖² = 2(1 − cos).
            let d2 = (0..<k).map { j -> Double in
                let d = Double(graph.distances[i * k + j])
                return graph.metric == .cosine ? max(0, 2 * d) : max(0, d)
            }
            let sigma = 0.5 * d2[third].squareRoot()
            let nearest = d2.min() ?? 0
            var weights: [Double]
            if sigma > 0 {
                // Shifted by the nearest distance so the largest weight is exp(0): no underflow.
                weights = d2.map { exp(-($0 - nearest) / (2 * sigma * sigma)) }
            } else {
                weights = d2.map { $0 <= nearest ? 1 : 0 }
            }
            let total = weights.reduce(0, +)
            for j in 0..<k { probabilities[i * k + j] = Float(weights[j] / total) }
        }
    }

    /// x: [N, D] → weights over its K nearest neighbours by exact cosine search on the unit rows (on `pool`).
    public init(features x: Tensor, k: Int, pool: ComputePool = .serial()) {
        self.init(graph: ExactSearch.graph(x, k: k, metric: .cosine, pool: pool))
    }

    /// A neighbour of i drawn from P(·|i).
    func sample(_ i: Int, rng: inout SplitMix64) -> Int {
        var u = Float(rng.nextUnit())
        let base = i * k
        for j in 0..<k {
            u -= probabilities[base + j]
            if u < 0 { return Int(indices[base + j]) }
        }
        return Int(indices[base + k - 1])
    }
}
