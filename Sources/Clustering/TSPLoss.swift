import Foundation
import Tensor

/// The loss of eq. 5 on one batch and its gradient with respect to the head.
/// L = −(1/B) Σb log⟨p(ab), p(nb)⟩ − λ·H(q) − λ·Σj qj·log(πj·C), q = (1/B) Σb p(ab), p = softmax((φ x̃ + β)/τ),
/// for anchors a and one neighbour n ~ P(·|a) each. With the paper's uniform prior π = 1/C the last term
/// vanishes; with another prior the two entropy terms are −λ·KL(q‖π) up to a constant.
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
    public init(head: ClusterHead, anchors: Tensor, neighbours: Tensor, entropyWeight lambda: Float, prior: [Float]? = nil) {
        precondition(anchors.shape == neighbours.shape, "anchors \(anchors.shape), neighbours \(neighbours.shape)")
        self.init(head: head, pairs: Tensor(shape: [2 * anchors.rows, anchors.columns], data: anchors.data + neighbours.data),
                  entropyWeight: lambda, prior: prior)
    }

    /// pairs: [2B, D] unit rows, B anchors then the neighbour of each → loss and gradient of `head`.
    /// prior: [C] cluster proportions π (nil: uniform, the paper). A pool of more than one thread splits the GEMMs
    /// by rows.
    public init(head: ClusterHead, pairs x: Tensor, entropyWeight lambda: Float, prior: [Float]? = nil, pool: ComputePool = .serial()) {
        precondition(x.rank == 2 && x.rows % 2 == 0 && x.columns == head.dimension, "pairs \(x.shape), head dimension \(head.dimension)")
        let b = x.rows / 2, c = head.clusters, d = head.dimension
        let invB = 1 / Float(b), invT = 1 / head.temperature
        var p = [Float](repeating: 0, count: 2 * b * c)   // [2B, C] logits, then probabilities
        var g = [Float](repeating: 0, count: 2 * b * c)   // [2B, C] ∂L/∂p, then ∂L/∂z
        var s = [Float](repeating: 0, count: b)
        var q = [Float](repeating: 0, count: c)
        var dw = [Float](repeating: 0, count: c * d)
        var db = [Float](repeating: 0, count: c)
        var consistency: Float = 0, entropy: Float = 0, priorTerm: Float = 0
        // log(πj·C): zero for the uniform prior.
        let logPrior = prior.map { pi in pi.map { logf(max($0, Self.floor) * Float(c)) } } ?? [Float](repeating: 0, count: c)
        precondition(logPrior.count == c, "prior has \(logPrior.count) entries for \(c) clusters")
        x.data.withUnsafeBufferPointer { xp in
            head.weight.data.withUnsafeBufferPointer { wp in
                p.withUnsafeMutableBufferPointer { pp in
                    g.withUnsafeMutableBufferPointer { gp in
                        let xb = xp.baseAddress.unsafelyUnwrapped, wb = wp.baseAddress.unsafelyUnwrapped
                        let pb = pp.baseAddress.unsafelyUnwrapped, gb = gp.baseAddress.unsafelyUnwrapped
                        // z = (x · φᵀ + β) / τ: [2B, D] · [C, D]ᵀ → [2B, C]; p = softmax(z).
                        RowParallel.timesTransposed(xb, rows: 2 * b, wb, outputs: c, inner: d, into: pb, pool: pool)
                        for r in 0..<(2 * b) {
                            let row = pb + r * c
                            var m = -Float.infinity
                            for j in 0..<c {
                                row[j] = (row[j] + head.bias[j]) * invT
                                m = max(m, row[j])
                            }
                            var sum: Float = 0
                            for j in 0..<c {
                                row[j] = expf(row[j] - m)
                                sum += row[j]
                            }
                            let inv = 1 / sum
                            for j in 0..<c { row[j] *= inv }
                        }
                        // s_b = ⟨pa_b, pn_b⟩; q = mean anchor prediction.
                        for r in 0..<b {
                            let pa = pb + r * c, pn = pb + (b + r) * c
                            var dot: Float = 0
                            for j in 0..<c {
                                dot += pa[j] * pn[j]
                                q[j] += pa[j]
                            }
                            s[r] = max(dot, Self.floor)
                            consistency -= logf(s[r])
                        }
                        consistency *= invB
                        for j in 0..<c {
                            q[j] = max(q[j] * invB, Self.floor)
                            entropy -= q[j] * logf(q[j])
                            priorTerm += q[j] * logPrior[j]
                        }
                        // g = ∂L/∂p, then dz = p ⊙ (g − ⟨g, p⟩) / τ in place.
                        let entropyTerm = (0..<c).map { lambda * invB * (logf(q[$0]) + 1 - logPrior[$0]) }
                        for r in 0..<b {
                            let pa = pb + r * c, pn = pb + (b + r) * c, ga = gb + r * c, gn = gb + (b + r) * c
                            let scale = -invB / s[r]
                            for j in 0..<c {
                                ga[j] = scale * pn[j] + entropyTerm[j]
                                gn[j] = scale * pa[j]
                            }
                        }
                        for r in 0..<(2 * b) {
                            let pr = pb + r * c, gr = gb + r * c
                            var inner: Float = 0
                            for j in 0..<c { inner += gr[j] * pr[j] }
                            for j in 0..<c {
                                gr[j] = pr[j] * (gr[j] - inner) * invT
                                db[j] += gr[j]
                            }
                        }
                        // ∂L/∂φ = dzᵀ · x: [C, 2B] · [2B, D] → [C, D].
                        dw.withUnsafeMutableBufferPointer { dp in
                            RowParallel.transposedTimes(gb, rows: 2 * b, outputs: c, xb, inner: d,
                                                        into: dp.baseAddress.unsafelyUnwrapped, pool: pool)
                        }
                    }
                }
            }
        }
        value = consistency - lambda * entropy - lambda * priorTerm
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

    /// θ ← θ − lr · m̂ / (√v̂ + ε), with bias-corrected moments. theta, gradient: [P].
    mutating func update(_ theta: inout [Float], gradient: [Float]) {
        precondition(theta.count == m.count && gradient.count == m.count)
        step += 1
        let c1 = 1 - powf(beta1, Float(step)), c2 = 1 - powf(beta2, Float(step))
        let b1 = beta1, b2 = beta2, rate = learningRate / c1, invC2 = 1 / c2, eps = epsilon
        let n = theta.count
        theta.withUnsafeMutableBufferPointer { tp in
            gradient.withUnsafeBufferPointer { gp in
                m.withUnsafeMutableBufferPointer { mp in
                    v.withUnsafeMutableBufferPointer { vp in
                        guard let t = tp.baseAddress, let g = gp.baseAddress, let mm = mp.baseAddress, let vv = vp.baseAddress else { return }
                        for i in 0..<n {
                            let gi = g[i]
                            mm[i] = b1 * mm[i] + (1 - b1) * gi
                            vv[i] = b2 * vv[i] + (1 - b2) * gi * gi
                            t[i] -= rate * mm[i] / ((vv[i] * invC2).squareRoot() + eps)
                        }
                    }
                }
            }
        }
    }
}
