import Tensor

/// Seeded random weights, for benchmarks and memory checks without a downloaded model.
extension ViTWeights {
    /// Weights for `config` drawn from a fixed-seed generator (fan-in-scaled normal-ish values,
    /// LayerNorm gains near 1), so runs are repeatable. Not a trained model.
    public init(random config: ViTConfig, seed: UInt64 = 0) {
        // Starts one SplitMix64 step past `seed`, as these weights always have: the same seed keeps the same weights.
        var rng = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15)
        func buffer(_ count: Int, scale: Float, offset: Float = 0) -> FloatBuffer {
            let b = FloatBuffer(count: count)
            for i in 0..<count { b.pointer[i] = offset + scale * rng.nextSignedFloat() }
            return b
        }
        let d = config.hidden, h = config.mlpHidden, p = config.patch
        let v2 = config.family == .dinoV2
        self.config = config
        patchWeight = buffer(d * 3 * p * p, scale: 1.7 / Float(3 * p * p).squareRoot())
        patchBias = buffer(d, scale: 0.1)
        clsToken = buffer(d, scale: 0.5)
        positions = buffer((1 + config.positionGrid * config.positionGrid) * d, scale: 0.5)
        finalGamma = buffer(d, scale: 0.2, offset: 1)
        finalBeta = buffer(d, scale: 0.1)
        blocks = (0..<config.layers).map { _ in
            Block(norm1Gamma: buffer(d, scale: 0.2, offset: 1), norm1Beta: buffer(d, scale: 0.1),
                  qkvWeight: buffer(3 * d * d, scale: 1.7 / Float(d).squareRoot()), qkvBias: buffer(3 * d, scale: 0.1),
                  outWeight: buffer(d * d, scale: 1.7 / Float(d).squareRoot()), outBias: buffer(d, scale: 0.1),
                  layerScale1: v2 ? buffer(d, scale: 0.2, offset: 0.3) : nil,
                  norm2Gamma: buffer(d, scale: 0.2, offset: 1), norm2Beta: buffer(d, scale: 0.1),
                  fc1Weight: buffer(h * d, scale: 1.7 / Float(d).squareRoot()), fc1Bias: buffer(h, scale: 0.1),
                  fc2Weight: buffer(d * h, scale: 1.7 / Float(h).squareRoot()), fc2Bias: buffer(d, scale: 0.1),
                  layerScale2: v2 ? buffer(d, scale: 0.2, offset: 0.3) : nil)
        }
    }
}

extension ViTConfig {
    /// The architecture of a published model (head count from the table, epsilon 1e-6).
    public init(published model: PublishedModel) {
        let v2 = model.family == .dinoV2
        self.init(family: model.family, hidden: model.hidden, heads: model.hidden / 64, layers: 12,
                  mlpHidden: 4 * model.hidden, patch: v2 ? 14 : 16, positionGrid: v2 ? 37 : 14, eps: 1e-6)
    }
}
