import Foundation
import Synchronization
import Tensor

/// All parameters of a DINO ViT in float32, checked by name and shape against its config (for the
/// bf16 path, `withBF16Panels` swaps the weight matrices for packed bf16 ones).
/// Matrices are stored transposed, [in, out], which OpenBLAS packs faster than PyTorch's [out, in]
/// (measured ≈ 10% on the 197-row GEMMs of one image); Q, K and V of each block are side by side
/// in one [hidden, 3·hidden] matrix so one GEMM makes all three.
public struct ViTWeights: Sendable {
    /// One transformer block.
    struct Block: Sendable {
        let norm1Gamma, norm1Beta: FloatBuffer      // [D]
        let qkvWeight, qkvBias: FloatBuffer         // [D, 3D], [3D]: columns Q, then K, then V
        let outWeight, outBias: FloatBuffer         // [D, D] transposed, [D]
        let layerScale1: FloatBuffer?               // [D] (DINOv2)
        let norm2Gamma, norm2Beta: FloatBuffer      // [D]
        let fc1Weight, fc1Bias: FloatBuffer         // [D, H], [H]
        let fc2Weight, fc2Bias: FloatBuffer         // [H, D], [D]
        let layerScale2: FloatBuffer?               // [D] (DINOv2)
        /// The four matrices packed to bf16, present when the encoder runs bf16 (the float32 ones
        /// are then empty).
        var packed: PackedBlock? = nil
    }

    /// A block's matrices packed for bf16 products, same [in, out] shapes as the float32 ones.
    struct PackedBlock: Sendable {
        let qkv, out, fc1, fc2: BF16Matrix
    }

    /// The architecture these weights fill.
    public let config: ViTConfig
    var patchWeight: FloatBuffer     // [3·p·p, D] (conv weight [D, 3, p, p] flattened and transposed); empty with bf16
    let patchBias: FloatBuffer       // [D]
    let clsToken: FloatBuffer        // [D]
    let positions: FloatBuffer       // [1 + g², D]
    var blocks: [Block]
    let finalGamma, finalBeta: FloatBuffer  // [D]
    /// The patch projection packed to bf16, present when the encoder runs bf16.
    var patchPacked: BF16Matrix? = nil

    /// Whether the weight matrices are packed to bf16 (the forward pass then runs them on the bf16 kernel).
    var hasBF16Panels: Bool { patchPacked != nil }

    /// These weights with every weight matrix packed to bf16 in place of its float32 copy (which is
    /// released here unless another `ViTWeights` value still holds it): the forward pass then runs
    /// its weight products on the bf16 kernel.
    func withBF16Panels(pool: ComputePool = .serial()) -> ViTWeights {
        if hasBF16Panels { return self }
        var copy = self
        copy.packPatch()
        copy.blocks = Self.parallelMap(blocks.count, pool: pool) { [blocks, config] i in Self.packed(blocks[i], config) }
        return copy
    }

    /// Packs the patch projection to bf16 and releases its float32 copy.
    mutating func packPatch() {
        patchPacked = Self.pack(patchWeight, 3 * config.patch * config.patch, config.hidden)
        patchWeight = FloatBuffer(count: 0)
    }

    /// `b` with its four matrices packed to bf16 and their float32 copies released.
    static func packed(_ b: Block, _ config: ViTConfig) -> Block {
        let d = config.hidden, h = config.mlpHidden, released = FloatBuffer(count: 0)
        return Block(norm1Gamma: b.norm1Gamma, norm1Beta: b.norm1Beta, qkvWeight: released, qkvBias: b.qkvBias,
                     outWeight: released, outBias: b.outBias, layerScale1: b.layerScale1,
                     norm2Gamma: b.norm2Gamma, norm2Beta: b.norm2Beta, fc1Weight: released, fc1Bias: b.fc1Bias,
                     fc2Weight: released, fc2Bias: b.fc2Bias, layerScale2: b.layerScale2,
                     packed: PackedBlock(qkv: pack(b.qkvWeight, d, 3 * d), out: pack(b.outWeight, d, d),
                                         fc1: pack(b.fc1Weight, d, h), fc2: pack(b.fc2Weight, h, d)))
    }

    static func pack(_ w: FloatBuffer, _ rows: Int, _ columns: Int) -> BF16Matrix {
        precondition(w.count == rows * columns)
        return BF16Matrix(packing: w.base, rows: rows, columns: columns)
    }

    /// Loads and validates the checkpoint in `file` (config inferred from it and `configJSON`).
    /// `threads`: threads that load the blocks (nil: all CPUs); `bf16`: pack each matrix to bf16 as it
    /// loads (as `withBF16Panels`, without holding every float32 matrix first).
    public init(file: SafeTensorsFile, configJSON: Data? = nil, pool: ComputePool = .serial(), bf16: Bool = false) throws {
        let config = try ViTConfig.infer(from: file, configJSON: configJSON)
        try self.init(file: file, config: config, pool: pool, bf16: bf16)
    }

    /// Loads the tensors `config` needs from `file`; throws naming the first missing tensor, or the
    /// tensor, its expected and its found shape.
    public init(file: SafeTensorsFile, config: ViTConfig, pool: ComputePool = .serial(), bf16: Bool = false) throws {
        self.config = config
        let names = ViTTensorNames(prefix: ViTTensorNames(file: file).prefix ?? "", family: config.family)
        let d = config.hidden, h = config.mlpHidden, p = config.patch
        let loader = TensorLoader(file: file, family: config.family)
        patchWeight = try loader.matrix(names.patchWeight, [d, 3, p, p])
        patchBias = try loader.load(names.patchBias, [d])
        clsToken = try loader.load(names.clsToken, [1, 1, d])
        positions = try loader.load(names.positions, [1, 1 + config.positionGrid * config.positionGrid, d])
        finalGamma = try loader.load(names.finalNormWeight, [d])
        finalBeta = try loader.load(names.finalNormBias, [d])
        // Blocks load in parallel: reading, transposing and (for bf16) packing ~90 MB is most of herd's start-up.
        // The error of the lowest failing block is thrown: the one a sequential loop would report.
        blocks = try Self.parallelMap(config.layers, pool: pool) { i in Result { () throws -> Block in
            let n = names.layer(i)
            var qkvWeight: [Float] = []
            var qkvBias: [Float] = []
            for which in ["query", "key", "value"] {
                qkvWeight += try loader.values(n.qkv(which, "weight"), [d, d])
                qkvBias += try loader.values(n.qkv(which, "bias"), [d])
            }
            let v2 = config.family == .dinoV2
            let block = Block(
                norm1Gamma: try loader.load(n.norm1Weight, [d]), norm1Beta: try loader.load(n.norm1Bias, [d]),
                qkvWeight: FloatBuffer(transposing: qkvWeight, rows: 3 * d, columns: d), qkvBias: FloatBuffer(qkvBias),
                outWeight: try loader.matrix(n.outWeight, [d, d]), outBias: try loader.load(n.outBias, [d]),
                layerScale1: v2 ? try loader.load(n.layerScale1, [d]) : nil,
                norm2Gamma: try loader.load(n.norm2Weight, [d]), norm2Beta: try loader.load(n.norm2Bias, [d]),
                fc1Weight: try loader.matrix(n.fc1Weight, [h, d]), fc1Bias: try loader.load(n.fc1Bias, [h]),
                fc2Weight: try loader.matrix(n.fc2Weight, [d, h]), fc2Bias: try loader.load(n.fc2Bias, [d]),
                layerScale2: v2 ? try loader.load(n.layerScale2, [d]) : nil)
            return bf16 ? Self.packed(block, config) : block
        } }.map { try $0.get() }
        if bf16 { packPatch() }
    }

    /// body(i) for every i in 0..<count on `pool`'s threads, results in index order.
    static func parallelMap<T: Sendable>(_ count: Int, pool: ComputePool, _ body: (Int) -> T) -> [T] {
        let results = Mutex<[T?]>(Array(repeating: nil, count: count))
        pool.forEach(count) { i, _ in
            let value = body(i)
            results.withLock { $0[i] = value }
        }
        return results.withLock { $0.compactMap { $0 } }
    }

    /// Loads one tensor after checking its name and shape.
    private struct TensorLoader: Sendable {
        let file: SafeTensorsFile
        let family: ViTConfig.Family

        func values(_ name: String, _ shape: [Int]) throws -> [Float] {
            guard let entry = file.entries[name] else {
                throw EncoderError(file.path, "has no tensor '\(name)', which a \(family == .dinoV2 ? "DINOv2" : "DINO v1") ViT needs; the file is not a complete \(family == .dinoV2 ? "Dinov2Model" : "ViTModel") checkpoint")
            }
            guard entry.shape == shape else {
                throw EncoderError(file.path, "tensor '\(name)' has shape \(entry.shape), expected \(shape)")
            }
            do {
                defer { file.evict(name) }
                return try file.tensor(name).data
            } catch let error as TensorFileError {
                throw EncoderError(error.path, error.message)
            }
        }

        func load(_ name: String, _ shape: [Int]) throws -> FloatBuffer {
            FloatBuffer(try values(name, shape))
        }

        /// A PyTorch weight [out, in…] stored transposed as [in…, out].
        func matrix(_ name: String, _ shape: [Int]) throws -> FloatBuffer {
            FloatBuffer(transposing: try values(name, shape), rows: shape[0], columns: shape.dropFirst().reduce(1, *))
        }
    }
}

extension FloatBuffer {
    /// m: [rows, columns] stored transposed, as [columns, rows].
    convenience init(transposing m: [Float], rows: Int, columns: Int) {
        precondition(m.count == rows * columns, "\(m.count) values for [\(rows), \(columns)]")
        self.init(count: m.count)
        m.withUnsafeBufferPointer { src in
            guard let base = src.baseAddress else { return }
            transpose(base, rows: rows, columns: columns, into: pointer)
        }
    }
}

/// src: [rows, columns] → dst: [columns, rows], in 32×32 tiles so both sides stay in cache (a plain
/// column-order write loop was ≈ 10% of loading a model).
func transpose(_ src: UnsafePointer<Float>, rows: Int, columns: Int, into dst: UnsafeMutablePointer<Float>) {
    let tile = 32
    for r0 in stride(from: 0, to: rows, by: tile) {
        let r1 = min(r0 + tile, rows)
        for c0 in stride(from: 0, to: columns, by: tile) {
            let c1 = min(c0 + tile, columns)
            for r in r0..<r1 {
                let row = src + r * columns
                for c in c0..<c1 { dst[c * rows + r] = row[c] }
            }
        }
    }
}
