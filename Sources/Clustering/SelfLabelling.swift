import Foundation
import Tensor

/// SCAN's second stage without augmentations: the points a trained head is confident about (probability ≥
/// `threshold`) become pseudo-labels, and the head is trained on them with a cross-entropy weighted by the
/// inverse frequency of each label (so large clusters do not swallow small ones). Full-batch Adam.
public struct SelfLabelling: Sendable, Equatable {
    /// Confidence a point needs to become a pseudo-label.
    public var threshold: Float = 0.99
    /// Adam steps over the confident set.
    public var steps: Int = 200
    /// Adam learning rate.
    public var learningRate: Float = 1e-3

    /// Self-labelling with the defaults above.
    public init() {}

    /// head, x: [N, D] unit rows → the head after self-labelling (the head itself when fewer than two clusters
    /// have confident points).
    public func train(_ head: ClusterHead, features x: Tensor) -> ClusterHead {
        let c = head.clusters, d = head.dimension
        let p = head.probabilities(x)
        var rows: [Int] = [], labels: [Int] = []
        for (i, best) in p.rowMaxima().enumerated() where best.value >= threshold {
            rows.append(i)
            labels.append(best.column)
        }
        var counts = [Float](repeating: 0, count: c)
        for l in labels { counts[l] += 1 }
        guard counts.filter({ $0 > 0 }).count >= 2 else { return head }
        // Weights ∝ 1 / frequency, normalised so the mean weight over the confident points is 1.
        let present = Float(counts.filter { $0 > 0 }.count)
        let weight = counts.map { $0 > 0 ? Float(labels.count) / (present * $0) : 0 }
        var confident = Tensor(shape: [rows.count, d])
        for (r, i) in rows.enumerated() {
            for k in 0..<d { confident.data[r * d + k] = x.data[i * d + k] }
        }
        var head = head
        var adamW = Adam(parameters: head.weight.count, learningRate: learningRate)
        var adamB = Adam(parameters: head.bias.count, learningRate: learningRate)
        let scale = 1 / (Float(rows.count) * head.temperature)
        for _ in 0..<steps {
            // ∂L/∂z = w_y·(p − e_y)/n per row, then ∂L/∂W = ∂Zᵀ·X/τ and ∂L/∂b = Σ ∂Z/τ.
            var g = head.probabilities(confident)
            for (r, l) in labels.enumerated() {
                g.data[r * c + l] -= 1
                for j in 0..<c { g.data[r * c + j] *= weight[l] * scale }
            }
            var dw = Tensor(shape: [c, d])
            g.data.withUnsafeBufferPointer { gp in
                confident.data.withUnsafeBufferPointer { xp in
                    dw.data.withUnsafeMutableBufferPointer { wp in
                        guard let gb = gp.baseAddress, let xb = xp.baseAddress, let wb = wp.baseAddress else { return }
                        Gemm.sgemm(transA: true, m: c, n: d, k: rows.count, a: gb, lda: c, b: xb, ldb: d, c: wb, ldc: d)
                    }
                }
            }
            var db = [Float](repeating: 0, count: c)
            for r in 0..<rows.count {
                for j in 0..<c { db[j] += g.data[r * c + j] }
            }
            adamW.update(&head.weight.data, gradient: dw.data)
            adamB.update(&head.bias, gradient: db)
        }
        return head
    }
}
