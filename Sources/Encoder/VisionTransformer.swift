import Foundation
import Tensor

/// A DINO ViT ready to run: weights, a compute pool, and activation buffers reused across calls.
/// Not thread-safe: one caller at a time (it parallelises each call itself).
public final class VisionTransformer {
    /// The architecture.
    public var config: ViTConfig { weights.config }
    /// The precision the weight products run in: fp32 or bf16, never auto.
    public let precision: Precision
    let weights: ViTWeights
    let pool: ComputePool
    var scratch: Scratch?
    var lanes: [Scratch]?
    /// Whether batches of at least `threads` images run one image per thread (the default) rather
    /// than splitting every stage by rows and heads; kept switchable for benchmarks.
    public var splitsImages = true
    /// Images each thread runs together when splitting by images (nil: up to 4, so that every
    /// thread gets at least two lanes to balance load); kept settable for benchmarks.
    public var imagesPerLane: Int?
    var positionCache: (height: Int, width: Int, table: FloatBuffer)?

    /// A float32 transformer over `weights` using up to `threads` threads per call.
    public init(weights: ViTWeights, threads: Int) {
        self.weights = weights
        self.pool = ComputePool(threads: threads)
        self.precision = .fp32
    }

    /// A transformer over `weights` in `precision` (resolved for this CPU: `auto` picks bf16 where
    /// it runs; an explicit bf16 on a CPU without AVX512_BF16 throws). bf16 packs every weight
    /// matrix to bf16 once, here, and drops this transformer's float32 copies.
    /// `cpuSupportsBF16: false` pretends the CPU lacks bf16 (tests).
    public init(weights: ViTWeights, threads: Int, precision: Precision, cpuSupportsBF16: Bool = BF16.isSupported) throws {
        let resolved = try precision.resolved(cpuSupportsBF16: cpuSupportsBF16 && BF16.isSupported)
        self.weights = resolved == .bf16 ? weights.withBF16Panels(threads: threads) : weights
        self.pool = ComputePool(threads: threads)
        self.precision = resolved
    }

    /// Loads the safetensors checkpoint at `path` (and `configPath`, a config.json, when given).
    public convenience init(contentsOf path: String, configPath: String? = nil, threads: Int,
                            precision: Precision = .fp32, cpuSupportsBF16: Bool = BF16.isSupported) throws {
        let file = try Self.open(path)
        var json: Data?
        if let configPath {
            guard let data = FileManager.default.contents(atPath: configPath) else {
                throw EncoderError(configPath, "cannot read the model's config.json")
            }
            json = data
        }
        // Resolved first, so that bf16 packs each matrix as it loads.
        let resolved = try precision.resolved(cpuSupportsBF16: cpuSupportsBF16 && BF16.isSupported)
        let weights = try ViTWeights(file: file, configJSON: json, threads: threads, bf16: resolved == .bf16)
        try self.init(weights: weights, threads: threads, precision: resolved, cpuSupportsBF16: cpuSupportsBF16)
    }

    static func open(_ path: String) throws -> SafeTensorsFile {
        do {
            return try SafeTensorsFile(path: path)
        } catch let error as TensorFileError {
            throw EncoderError(error.path, error.message)
        }
    }

    /// CLS features: pixels [N, 3, H, W] (H, W multiples of the patch size) → [N, hidden], the CLS
    /// token after the final LayerNorm, L2-normalised per row when `normalize` is set.
    public func features(_ pixels: Tensor, normalize: Bool = false) throws -> Tensor {
        let c = config
        guard pixels.rank == 4, pixels.shape[1] == 3 else {
            throw EncoderError("input", "expected pixels of shape [N, 3, H, W], got \(pixels.shape)")
        }
        let (n, height, width) = (pixels.shape[0], pixels.shape[2], pixels.shape[3])
        guard height % c.patch == 0, width % c.patch == 0, height > 0, width > 0 else {
            throw EncoderError("input", "image size \(height)×\(width) is not a multiple of the \(c.patch)-pixel patch; crop or resize to e.g. 224×224")
        }
        let gridH = height / c.patch, gridW = width / c.patch
        if c.family == .dinoV1, gridH != c.positionGrid || gridW != c.positionGrid {
            throw EncoderError("input", "a DINO v1 model takes \(c.positionGrid * c.patch)×\(c.positionGrid * c.patch) images (as the reference without interpolate_pos_encoding); got \(height)×\(width)")
        }
        if n == 0 { return Tensor(shape: [0, c.hidden]) }
        let tokens = 1 + gridH * gridW
        // Parallelism comes from the pool; each GEMM runs on the calling thread only.
        BLASInfo.setThreads(1)
        let positions = positionTable(gridH: gridH, gridW: gridW)
        let out = FloatBuffer(count: n * c.hidden)
        let imageFloats = 3 * height * width
        // Whole images per thread where there are enough of them: no barriers between stages, so a
        // thread slowed by other load holds nobody up. A lane of a few images makes the GEMMs
        // taller (faster per row). The rest of the batch is split by rows and heads.
        let lane = max(1, imagesPerLane ?? min(4, n / (2 * pool.threads)))
        let laneItems = splitsImages && pool.threads > 1 ? n / lane / pool.threads * pool.threads : 0
        let inLanes = laneItems * lane
        pixels.data.withUnsafeBufferPointer { px in
            guard let base = px.baseAddress else { return }
            if laneItems > 0 {
                let lanes = laneScratch(images: lane, tokens: tokens)
                let serial = ComputePool(threads: 1)
                pool.forEach(laneItems) { item, worker in
                    let first = item * lane
                    let pass = ForwardPass(weights: self.weights, pool: serial, scratch: lanes[worker], positions: positions)
                    pass.run(base + first * imageFloats, height: height, width: width, normalize: normalize, out: out.pointer + first * c.hidden)
                }
            }
            if inLanes < n {
                let pass = ForwardPass(weights: weights, pool: pool, scratch: sharedScratch(images: n - inLanes, tokens: tokens), positions: positions)
                pass.run(base + inLanes * imageFloats, height: height, width: width, normalize: normalize, out: out.pointer + inLanes * c.hidden)
            }
        }
        return Tensor(shape: [n, c.hidden], data: out.array)
    }

    /// Buffers for a batch of `images` split by rows, kept when the next call fits in them.
    func sharedScratch(images: Int, tokens: Int) -> Scratch {
        if let s = scratch, s.fits(images: images, tokens: tokens) {
            s.resize(images: images, tokens: tokens)
            return s
        }
        let s = Scratch(config: config, images: images, tokens: tokens, workers: pool.threads)
        scratch = s
        return s
    }

    /// One buffer set of `images` per thread, kept while the batch fits.
    func laneScratch(images: Int, tokens: Int) -> [Scratch] {
        if let lanes, lanes.allSatisfy({ $0.fits(images: images, tokens: tokens) }) {
            for s in lanes { s.resize(images: images, tokens: tokens) }
            return lanes
        }
        let made = (0..<pool.threads).map { _ in Scratch(config: config, images: images, tokens: tokens, workers: 1) }
        lanes = made
        return made
    }

    /// Position embeddings for a gridH × gridW input: [1 + gridH·gridW, D], CLS position first.
    func positionTable(gridH: Int, gridW: Int) -> FloatBuffer {
        if let cached = positionCache, cached.height == gridH, cached.width == gridW { return cached.table }
        let c = config
        let table: FloatBuffer
        if gridH == c.positionGrid && gridW == c.positionGrid {
            table = weights.positions
        } else {
            let resampled = PositionEmbedding.bicubic(
                weights.positions.base + c.hidden, inH: c.positionGrid, inW: c.positionGrid, dim: c.hidden,
                outH: gridH, outW: gridW)
            table = FloatBuffer(Array(UnsafeBufferPointer(start: weights.positions.base, count: c.hidden)) + resampled)
        }
        positionCache = (gridH, gridW, table)
        return table
    }
}
