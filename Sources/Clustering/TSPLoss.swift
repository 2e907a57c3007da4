import Foundation
import Tensor

/// The loss of eq. 5 on one batch and its gradient with respect to the head.
/// L = −(1/B) Σb log⟨p(ab), p(nb)⟩ − λ·H((1/B) Σb p(ab)), p = softmax((φ x̃ + β)/τ),
/// for anchors a and one neighbour n ~ P(·|a) each.
public struct TSPLoss: Sendable {
    /// Total loss L.
    public var value: Float
    /// The consistency part −(1/B) Σ log⟨pa, pn⟩.
    public var consistency: Float
    /// The entropy H of the mean anchor prediction.
    public var entropy: Float
    /// ∂L/∂weight: [clusters, D].
    public var weightGradient: [Float]
    /// ∂L/∂bias: [clusters].
    public var biasGradient: [Float]

    /// Smallest inner product and mean probability fed to a logarithm.
    static let floor: Float = 1e-12

    /// anchors: [B, D], neighbours: [B, D] (unit rows) → loss and gradient of `head` at λ = `entropyWeight`.
    public init(head: ClusterHead, anchors: Tensor, neighbours: Tensor, entropyWeight lambda: Float) {
        precondition(anchors.shape == neighbours.shape && anchors.columns == head.dimension,
                     "anchors \(anchors.shape), neighbours \(neighbours.shape), head dimension \(head.dimension)")
        let b = anchors.rows, c = head.clusters, d = head.dimension
        let x = Tensor(shape: [2 * b, d], data: anchors.data + neighbours.data)  // [2B, D]
        var p = head.logits(x)                                                    // [2B, C]
        Softmax.rows(&p)

        // Forward: s_b = ⟨pa_b, pn_b⟩, q = mean of anchor rows.
        var s = [Float](repeating: 0, count: b)
        var q = [Float](repeating: 0, count: c)
        var consistency: Float = 0
        for r in 0..<b {
            var dot: Float = 0
            for j in 0..<c { dot += p.data[r * c + j] * p.data[(b + r) * c + j] }
            s[r] = max(dot, Self.floor)
            consistency -= logf(s[r])
            for j in 0..<c { q[j] += p.data[r * c + j] }
        }
        consistency /= Float(b)
        var entropy: Float = 0
        for j in 0..<c {
            q[j] = max(q[j] / Float(b), Self.floor)
            entropy -= q[j] * logf(q[j])
        }

        // Backward to the probabilities: g = ∂L/∂p: [2B, C].
        var g = [Float](repeating: 0, count: 2 * b * c)
        let invB = 1 / Float(b)
        for j in 0..<c {
            let entropyTerm = lambda * invB * (logf(q[j]) + 1)
            for r in 0..<b {
                g[r * c + j] = -invB * p.data[(b + r) * c + j] / s[r] + entropyTerm
                g[(b + r) * c + j] = -invB * p.data[r * c + j] / s[r]
            }
        }
        // Softmax backward, then the temperature: dz = p ⊙ (g − ⟨g, p⟩) / τ, in place in g.
        let invT = 1 / head.temperature
        for r in 0..<(2 * b) {
            var inner: Float = 0
            for j in 0..<c { inner += g[r * c + j] * p.data[r * c + j] }
            for j in 0..<c { g[r * c + j] = p.data[r * c + j] * (g[r * c + j] - inner) * invT }
        }
        // ∂L/∂W = dzᵀ · x: [C, 2B] · [2B, D] → [C, D]; ∂L/∂β = column sums of dz.
        var dw = [Float](repeating: 0, count: c * d)
        g.withUnsafeBufferPointer { gp in
            x.data.withUnsafeBufferPointer { xp in
                dw.withUnsafeMutableBufferPointer { wp in
                    guard let gb = gp.baseAddress, let xb = xp.baseAddress, let wb = wp.baseAddress else { return }
                    Gemm.sgemm(transA: true, m: c, n: d, k: 2 * b, a: gb, lda: c, b: xb, ldb: d, c: wb, ldc: d)
                }
            }
        }
        var db = [Float](repeating: 0, count: c)
        for r in 0..<(2 * b) {
            for j in 0..<c { db[j] += g[r * c + j] }
        }
        value = consistency - lambda * entropy
        self.consistency = consistency
        self.entropy = entropy
        weightGradient = dw
        biasGradient = db
    }
}

/// Adam (Kingma & Ba) over one flat parameter vector.
struct Adam: Sendable {
    var learningRate: Float
    var beta1: Float = 0.9
    var beta2: Float = 0.999
    var epsilon: Float = 1e-8
    var m: [Float]
    var v: [Float]
    var step = 0

    init(parameters: Int, learningRate: Float) {
        self.learningRate = learningRate
        m = [Float](repeating: 0, count: parameters)
        v = [Float](repeating: 0, count: parameters)
    }

    /// θ ← θ − lr · m̂ / (√v̂ + ε), with bias-corrected moments.
    mutating func update(_ theta: inout [Float], gradient: [Float]) {
        precondition(theta.count == m.count && gradient.count == m.count)
        step += 1
        let c1 = 1 - powf(beta1, Float(step)), c2 = 1 - powf(beta2, Float(step))
        for i in 0..<theta.count {
            m[i] = beta1 * m[i] + (1 - beta1) * gradient[i]
            v[i] = beta2 * v[i] + (1 - beta2) * gradient[i] * gradient[i]
            theta[i] -= learningRate * (m[i] / c1) / ((v[i] / c2).squareRoot() + epsilon)
        }
    }
}
