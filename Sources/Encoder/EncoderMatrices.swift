import Tensor

/// One weight matrix w: [K, N] ([in, out]) in the form its engine multiplies.
enum WeightMatrix: Sendable {
    /// float32, multiplied by OpenBLAS sgemm.
    case fp32(FloatBuffer)
    /// bf16 panels for herd's VDPBF16PS kernel.
    case panels(BF16Matrix)
    /// bf16 in oneDNN's layout (with whatever it fuses: bias, GELU, bf16 output).
    case oneDNN(OneDNNMatrix)
}

/// Every weight matrix of a model on one engine: the products `ForwardPass` runs.
struct EncoderMatrices: Sendable {
    /// A block's four products. With oneDNN, qkv adds its bias and fc1 adds its bias, applies GELU
    /// and writes bf16 (the input fc2 takes), inside oneDNN's kernel.
    struct Block: Sendable {
        let qkv, out, fc1, fc2: WeightMatrix
    }

    /// The precision these run in (never auto).
    let precision: Precision
    /// The patch projection: [3·p·p, D].
    let patch: WeightMatrix
    let blocks: [Block]

    /// The matrices of `weights` on the engine of `precision` (fp32, bf16 or bf16-onednn). The bf16
    /// kernel uses the panels `weights` already holds (packed at load) or packs them here. oneDNN
    /// reorders each matrix once, picking its layout for `referenceRows` rows; throws when oneDNN
    /// cannot make its matmul in this process.
    static func make(_ weights: ViTWeights, precision: Precision, referenceRows: Int, pool: ComputePool) throws -> EncoderMatrices {
        let c = weights.config, d = c.hidden, h = c.mlpHidden
        switch precision {
        case .bf16:
            let packed = weights.withBF16Panels(pool: pool)
            guard let patch = packed.patchPacked else { preconditionFailure("bf16 weights without panels") }
            let blocks = packed.blocks.map { b in
                guard let p = b.packed else { preconditionFailure("bf16 block without panels") }
                return Block(qkv: .panels(p.qkv), out: .panels(p.out), fc1: .panels(p.fc1), fc2: .panels(p.fc2))
            }
            return EncoderMatrices(precision: .bf16, patch: .panels(patch), blocks: blocks)
        case .bf16OneDNN:
            precondition(!weights.hasBF16Panels, "oneDNN needs the float32 weights")
            func make(_ w: FloatBuffer, _ k: Int, _ n: Int, bias: FloatBuffer? = nil, gelu: Bool = false) throws -> WeightMatrix {
                precondition(w.count == k * n, "float32 weights released")
                do {
                    return .oneDNN(try OneDNNMatrix(packing: w.base, rows: k, columns: n, bias: bias?.base, gelu: gelu,
                                                    bf16Output: gelu, referenceRows: referenceRows))
                } catch {
                    throw EncoderError("precision bf16-onednn", "\(error.message); use --precision auto or fp32")
                }
            }
            let patch = try make(weights.patchWeight, 3 * c.patch * c.patch, d)
            let made = ViTWeights.parallelMap(weights.blocks.count, pool: pool) { i in
                Result { () throws -> Block in
                    let b = weights.blocks[i]
                    return Block(qkv: try make(b.qkvWeight, d, 3 * d, bias: b.qkvBias), out: try make(b.outWeight, d, d),
                                 fc1: try make(b.fc1Weight, d, h, bias: b.fc1Bias, gelu: true), fc2: try make(b.fc2Weight, h, d))
                }
            }
            return EncoderMatrices(precision: .bf16OneDNN, patch: patch, blocks: try made.map { try $0.get() })
        case .fp32, .auto:
            return EncoderMatrices(float32: weights)
        }
    }

    /// The float32 matrices of `weights`, for OpenBLAS.
    init(float32 weights: ViTWeights) {
        precondition(!weights.hasBF16Panels, "fp32 needs the float32 weights")
        self.init(precision: .fp32, patch: .fp32(weights.patchWeight),
                  blocks: weights.blocks.map { .init(qkv: .fp32($0.qkvWeight), out: .fp32($0.outWeight), fc1: .fp32($0.fc1Weight), fc2: .fp32($0.fc2Weight)) })
    }

    init(precision: Precision, patch: WeightMatrix, blocks: [Block]) {
        self.precision = precision
        self.patch = patch
        self.blocks = blocks
    }

    /// The implementation oneDNN picked for the widest product (fc1), when these run on oneDNN.
    var oneDNNImplementation: String? {
        if case .oneDNN(let m) = blocks.first?.fc1 { return m.implementation }
        return nil
    }
}

extension ViTWeights {
    /// These weights without their float32 weight matrices (biases, norms and embeddings kept), for
    /// an encoder whose products hold their own copies (bf16 panels or oneDNN's layout).
    func releasingMatrices() -> ViTWeights {
        var copy = self
        let released = FloatBuffer(count: 0)
        copy.patchWeight = released
        copy.blocks = blocks.map { b in
            Block(norm1Gamma: b.norm1Gamma, norm1Beta: b.norm1Beta, qkvWeight: released, qkvBias: b.qkvBias,
                  outWeight: released, outBias: b.outBias, layerScale1: b.layerScale1,
                  norm2Gamma: b.norm2Gamma, norm2Beta: b.norm2Beta, fc1Weight: released, fc1Bias: b.fc1Bias,
                  fc2Weight: released, fc2Bias: b.fc2Bias, layerScale2: b.layerScale2, packed: nil)
        }
        return copy
    }
}
