import Foundation
import Index
import Tensor

/// The clustering head φ: one linear layer and a softmax over clusters, applied to unit-length features.
public struct ClusterHead: Sendable, Equatable {
    /// [clusters, D] weights.
    public var weight: Tensor
    /// [clusters] biases.
    public var bias: [Float]
    /// Logits are divided by this before the softmax (1 in the paper).
    public var temperature: Float

    /// Number of clusters.
    public var clusters: Int { weight.rows }
    /// Feature dimension.
    public var dimension: Int { weight.columns }

    /// A head with the given parameters.
    public init(weight: Tensor, bias: [Float], temperature: Float = 1) {
        precondition(weight.rank == 2 && bias.count == weight.rows, "head weight \(weight.shape), bias \(bias.count)")
        self.weight = weight
        self.bias = bias
        self.temperature = temperature
    }

    /// The paper's initialisation (appendix A): φi = Ci / (‖Ci‖·√D) from k-means centres C: [clusters, D], zero bias.
    public init(centres: Tensor, temperature: Float = 1) {
        let c = centres.rows, d = centres.columns
        var w = centres
        for i in 0..<c {
            var norm: Float = 0
            for p in 0..<d { norm += w.data[i * d + p] * w.data[i * d + p] }
            let scale = norm > 0 ? 1 / (norm.squareRoot() * Float(d).squareRoot()) : 0
            for p in 0..<d { w.data[i * d + p] *= scale }
        }
        self.init(weight: w, bias: [Float](repeating: 0, count: c), temperature: temperature)
    }

    /// x̃: [N, D] unit rows → logits / temperature: [N, clusters].
    func logits(_ x: Tensor) -> Tensor {
        var z = Gemm.matmulTransposed(x, weight)
        let c = clusters, inv = 1 / temperature
        for i in 0..<x.rows {
            for j in 0..<c { z.data[i * c + j] = (z.data[i * c + j] + bias[j]) * inv }
        }
        return z
    }

    /// features: [N, D] (any length; normalised here) → Pφ(y|x̃): [N, clusters].
    public func probabilities(_ features: Tensor) -> Tensor {
        precondition(features.rank == 2 && features.columns == dimension, "features \(features.shape) for a head of dimension \(dimension)")
        var z = logits(Self.unitRows(features))
        z.softmaxRows()
        return z
    }

    /// features: [N, D] → the most probable cluster of every row.
    public func assign(_ features: Tensor) -> [Int] {
        probabilities(features).rowMaxima().map(\.column)
    }

    /// x: [N, D] → rows scaled to unit length (x̃ in the paper).
    public static func unitRows(_ x: Tensor) -> Tensor {
        var out = x
        VectorKernels.normaliseRows(&out.data, dimension: x.columns)
        return out
    }
}
