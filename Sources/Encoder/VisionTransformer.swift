import Foundation
import Tensor

/// A DINO ViT ready to run: weights, the compute pool its forward passes run on, and activation buffers
/// reused across calls. Not thread-safe: one caller at a time (it parallelises each call itself).
/// Each GEMM runs single-threaded on the thread that calls it (`BLASInfo.singleThreaded`): parallelism is the pool's.
public final class VisionTransformer {
    /// The architecture.
    public var config: ViTConfig { weights.config }
    /// The precision the weight products run in: fp32, bf16 or bf16-onednn, never auto.
    public var precision: Precision { matrices.precision }
    /// What `auto` measured to make its choice (nil when the precision was set explicitly).
    public let selection: PrecisionSelection?
    let weights: ViTWeights
    let matrices: EncoderMatrices
    /// The threads a forward pass runs on (the caller takes part when it is one of them, or the pool is not background).
    public let pool: ComputePool
    /// Runs the passes of whole-image lanes, one per pool thread, on that thread alone.
    let serial = ComputePool.serial()
    var scratch: Scratch?
    var lanes: [Scratch]?
    /// Whether batches of at least `threads` images run one image per thread (the default) rather
    /// than splitting every stage by rows and heads; kept switchable for benchmarks.
    public var splitsImages = true
    /// Images each thread runs together when splitting by images (nil: up to 4, so that every
    /// thread gets at least two lanes to balance load); kept settable for benchmarks.
    public var imagesPerLane: Int?
    /// Where the forward pass adds up the time of each stage, when set (benchmarks).
    public var profile: StageProfile?
    var positionCache: (height: Int, width: Int, table: FloatBuffer)?

    /// A float32 transformer over `weights` using a pool of its own of `threads` threads.
    public convenience init(weights: ViTWeights, threads: Int) {
        self.init(weights: weights, pool: ComputePool(threads: threads, name: "herd.encoder"))
    }

    /// A float32 transformer over `weights` running on `pool`.
    public init(weights: ViTWeights, pool: ComputePool) {
        self.weights = weights
        self.pool = pool
        self.matrices = EncoderMatrices(float32: weights)
        self.selection = nil
    }

    /// A transformer over `weights` in `precision`: `auto` measures the paths this CPU runs
    /// (`PrecisionSelection`) and takes the fastest that passes the parity check; an explicit bf16
    /// on a CPU without AVX512_BF16, or bf16-onednn where oneDNN cannot make its matmul, throws.
    /// The bf16 paths hold their matrices in their own layout and drop this transformer's float32
    /// copies. `cpuSupportsBF16: false` pretends the CPU has no bf16 instructions (tests): bf16 then
    /// throws, and `auto` considers fp32 alone. Runs on a pool of its own of `threads` threads.
    public convenience init(weights: ViTWeights, threads: Int, precision: Precision, cpuSupportsBF16: Bool = BF16.isSupported,
                            cache: PrecisionChoiceCache? = nil) throws {
        try self.init(weights: weights, pool: ComputePool(threads: threads, name: "herd.encoder"), precision: precision,
                      cpuSupportsBF16: cpuSupportsBF16, cache: cache)
    }

    /// As `init(weights:threads:precision:cpuSupportsBF16:cache:)`, running on `pool` (also while packing the weights).
    public init(weights: ViTWeights, pool: ComputePool, precision: Precision, cpuSupportsBF16: Bool = BF16.isSupported,
                cache: PrecisionChoiceCache? = nil) throws {
        let bf16 = cpuSupportsBF16 && BF16.isSupported
        var chosen = try precision.resolved(cpuSupportsBF16: bf16)
        var selection: PrecisionSelection?
        var matrices: EncoderMatrices?
        let rows = Self.referenceRows(weights.config)
        if chosen == .auto, bf16, let remembered = cache?.lookup(weights.config),
           let made = try? EncoderMatrices.make(weights, precision: remembered, referenceRows: rows, pool: pool) {
            chosen = remembered
            matrices = made
        } else if chosen == .auto {
            let measured = PrecisionSelection.measure(weights, candidates: bf16 ? [.fp32, .bf16, .bf16OneDNN] : [.fp32])
            if bf16 { cache?.store(measured, config: weights.config) }
            selection = measured
            chosen = measured.chosen
        }
        let made = try matrices ?? EncoderMatrices.make(weights, precision: chosen, referenceRows: rows, pool: pool)
        if case .oneDNN = made.patch { try Self.prepare(made, config: weights.config) }
        self.weights = chosen == .fp32 ? weights : weights.releasingMatrices()
        self.matrices = made
        self.pool = pool
        self.selection = selection
    }

    /// Loads the safetensors checkpoint at `path` (and `configPath`, a config.json, when given).
    /// `cache`: where `auto` remembers its choice for this CPU (nil: measure at every load). Runs on a pool of its
    /// own of `threads` threads.
    public convenience init(contentsOf path: String, configPath: String? = nil, threads: Int,
                            precision: Precision = .fp32, cpuSupportsBF16: Bool = BF16.isSupported,
                            cache: PrecisionChoiceCache? = nil) throws {
        try self.init(contentsOf: path, configPath: configPath, pool: ComputePool(threads: threads, name: "herd.encoder"),
                      precision: precision, cpuSupportsBF16: cpuSupportsBF16, cache: cache)
    }

    /// As `init(contentsOf:configPath:threads:precision:cpuSupportsBF16:cache:)`, running on `pool` (loading too).
    public convenience init(contentsOf path: String, configPath: String? = nil, pool: ComputePool,
                            precision: Precision = .fp32, cpuSupportsBF16: Bool = BF16.isSupported,
                            cache: PrecisionChoiceCache? = nil) throws {
        let file = try Self.open(path)
        var json: Data?
        if let configPath {
            guard let data = FileManager.default.contents(atPath: configPath) else {
                throw EncoderError(configPath, "cannot read the model's config.json")
            }
            json = data
        }
        // Resolved first, so that bf16 (set, or remembered by auto) packs each matrix as it loads.
        var resolved = try precision.resolved(cpuSupportsBF16: cpuSupportsBF16 && BF16.isSupported)
        if resolved == .auto, cpuSupportsBF16 && BF16.isSupported, let cache,
           let config = try? ViTConfig.infer(from: file, configJSON: json), cache.lookup(config) == .bf16 {
            resolved = .bf16
        }
        let weights = try ViTWeights(file: file, configJSON: json, pool: pool, bf16: resolved == .bf16)
        try self.init(weights: weights, pool: pool, precision: resolved, cpuSupportsBF16: cpuSupportsBF16, cache: cache)
    }

    /// The patch grid of the images herd embeds: 224² (DINO v1's native grid), or the native grid
    /// where that is smaller (tiny test models).
    static func probeGrid(_ c: ViTConfig) -> Int { min(224 / c.patch, c.positionGrid) }

    /// The row count oneDNN picks its weight layouts for: a lane of two images at `probeGrid`, the
    /// shape most products of a batch run at.
    static func referenceRows(_ c: ViTConfig) -> Int {
        let grid = probeGrid(c)
        return 2 * (1 + grid * grid)
    }

    /// Creates oneDNN's primitives for the shapes of lanes of 1, 2 and 4 images at the native grid
    /// now, at load, rather than in the first batch.
    static func prepare(_ m: EncoderMatrices, config c: ViTConfig) throws {
        let grid = probeGrid(c), tokens = 1 + grid * grid
        func prepare(_ w: WeightMatrix, _ rows: [Int]) throws {
            guard case .oneDNN(let x) = w else { return }
            for r in rows {
                do { try x.prepare(m: r) } catch { throw EncoderError("precision bf16-onednn", "\(error.message); use --precision auto or fp32") }
            }
        }
        let lanes = [1, 2, 4]
        try prepare(m.patch, [grid * grid])
        for b in m.blocks {
            try prepare(b.qkv, lanes.map { $0 * tokens })
            for w in [b.out, b.fc1, b.fc2] { try prepare(w, lanes.map { $0 * tokens } + lanes) }
        }
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
                pool.forEach(laneItems) { item, worker in
                    let first = item * lane
                    let pass = ForwardPass(weights: self.weights, matrices: self.matrices, pool: self.serial, scratch: lanes[worker],
                                           positions: positions, profile: self.profile)
                    pass.run(base + first * imageFloats, height: height, width: width, normalize: normalize, out: out.pointer + first * c.hidden)
                }
            }
            if inLanes < n {
                let pass = ForwardPass(weights: weights, matrices: matrices, pool: pool, scratch: sharedScratch(images: n - inLanes, tokens: tokens),
                                       positions: positions, profile: profile)
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
        let s = Scratch(config: config, images: images, tokens: tokens, workers: pool.threads, bf16Inputs: usesBF16Inputs)
        scratch = s
        return s
    }

    /// One buffer set of `images` per thread, kept while the batch fits.
    func laneScratch(images: Int, tokens: Int) -> [Scratch] {
        if let lanes, lanes.allSatisfy({ $0.fits(images: images, tokens: tokens) }) {
            for s in lanes { s.resize(images: images, tokens: tokens) }
            return lanes
        }
        let made = (0..<pool.threads).map { _ in Scratch(config: config, images: images, tokens: tokens, workers: 1, bf16Inputs: usesBF16Inputs) }
        lanes = made
        return made
    }

    /// Whether the products read bf16 copies of their inputs (oneDNN).
    var usesBF16Inputs: Bool { if case .oneDNN = matrices.patch { true } else { false } }

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
