import Tensor

/// One forward pass over a batch held in one `Scratch`, parallelised over rows and heads by `pool`.
/// Shapes: N images, T = 1 + g tokens each, M = N·T rows, D hidden, H MLP hidden, p patch side;
/// weights stored [in, out] (y = x·W + b).
struct ForwardPass {
    let weights: ViTWeights
    /// The weight products on their engine (OpenBLAS, herd's bf16 kernel or oneDNN).
    let matrices: EncoderMatrices
    let pool: ComputePool
    let scratch: Scratch
    /// Position embeddings for this input's grid: [T, D].
    let positions: FloatBuffer
    /// Where stage times go, when measured.
    var profile: StageProfile? = nil

    var config: ViTConfig { weights.config }

    /// Whether GELU and softmax run on the 16-lane AVX-512 C kernels: on the bf16 paths where the
    /// CPU has them (fp32 keeps the Swift kernels, so its output does not depend on the CPU).
    var wide: Bool { matrices.precision.isReduced && BF16.isSupported }

    /// c: [m, n] = a: [m, k] · w, on w's engine. oneDNN reads `a16`, the bf16 copy of a (from
    /// `bf16Input`); the others read a, rounding it to bf16 themselves (the bf16 kernel) or not (fp32).
    func product(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, a16: UnsafePointer<UInt16>?, _ w: WeightMatrix,
                 c: UnsafeMutableRawPointer, ldc: Int) {
        switch w {
        case .fp32(let f):
            precondition(f.count == k * n, "float32 weights released")
            Gemm.sgemm(m: m, n: n, k: k, a: a, lda: lda, b: f.base, ldb: n, c: c.assumingMemoryBound(to: Float.self), ldc: ldc)
        case .panels(let p):
            p.multiply(m: m, a: a, lda: lda, c: c.assumingMemoryBound(to: Float.self), ldc: ldc)
        case .oneDNN(let x):
            guard let a16 else { preconditionFailure("oneDNN product without its bf16 input") }
            x.multiply(m: m, a: a16, lda: k, c: c, ldc: ldc)
        }
    }

    /// a: [m, k] (lda) rounded to bf16 into `staging` (row stride k) when `w` runs on oneDNN, which
    /// takes bf16 inputs; nil for the other engines.
    func bf16Input(_ a: UnsafePointer<Float>, m: Int, k: Int, lda: Int, for w: WeightMatrix, staging: UnsafeMutablePointer<UInt16>) -> UnsafePointer<UInt16>? {
        guard case .oneDNN = w else { return nil }
        profile.time(.conversion) { BF16.convert(a, rows: m, cols: k, lds: lda, into: staging, ldd: k) }
        return UnsafePointer(staging)
    }

    /// pixels: [N, 3, H, W] → CLS features [N, D] written to `out` (L2-normalised if asked).
    func run(_ pixels: UnsafePointer<Float>, height: Int, width: Int, normalize: Bool, out: UnsafeMutablePointer<Float>) {
        let s = scratch
        embed(pixels, images: s.images, height: height, width: width, positions: positions, into: s)
        let count = weights.blocks.count
        for i in 0..<count {
            if i == 0 { normAndProject(0, s) }
            if i + 1 < count {
                attention(s, clsOnly: false)
                outputAndMLP(i, next: i + 1, s, rows: s.rows)
            } else {
                // Only the CLS token is output, and after the last attention every row is on its
                // own: attend from the CLS query alone and run the rest on the N CLS rows (≈ 6% of
                // ViT-S/16's work saved, same values).
                attention(s, clsOnly: true)
                profile.time(.other) { compactCLSRows(s) }
                outputAndMLP(i, next: nil, s, rows: s.images)
            }
        }
        profile.time(.other) { finalNorm(s, normalize: normalize, out: out) }
    }

    /// Row ranges of an M-row matrix, a few per thread so a slowed thread takes fewer.
    func rowChunks(_ m: Int) -> [Range<Int>] {
        let count = pool.threads == 1 ? 1 : min(m, pool.threads * (m >= 512 ? 4 : 1))
        return (0..<count).map { i in (m * i / count) ..< (m * (i + 1) / count) }
    }

    /// pixels: [N, 3, H, W] → x: [M, D] = [cls; patches·W + b] + positions.
    func embed(_ pixels: UnsafePointer<Float>, images: Int, height: Int, width: Int, positions: FloatBuffer, into s: Scratch) {
        let c = config, d = c.hidden, p = c.patch, kdim = 3 * p * p
        let gridW = width / p, g = (height / p) * gridW, t = s.tokens
        let x = s.x.pointer, patches = s.patches.pointer, pos = positions.base
        for b in 0..<images {
            for i in 0..<d { x[b * t * d + i] = weights.clsToken.base[i] + pos[i] }
        }
        let chunks = rowChunks(images * g)
        pool.forEach(chunks.count) { item, _ in self.profile.time(.patchEmbedding) {
            let range = chunks[item]
            for r in range {  // im2col: patch r → [3, p, p] row, the conv weight's layout
                let (b, k) = r.quotientAndRemainder(dividingBy: g)
                let (py, px) = k.quotientAndRemainder(dividingBy: gridW)
                let dst = patches + r * kdim
                for ch in 0..<3 {
                    for ky in 0..<p {
                        let src = pixels + ((b * 3 + ch) * height + py * p + ky) * width + px * p
                        (dst + (ch * p + ky) * p).update(from: src, count: p)
                    }
                }
            }
            var r = range.lowerBound
            while r < range.upperBound {  // one GEMM per image segment: its rows in x are contiguous
                let (b, k) = r.quotientAndRemainder(dividingBy: g)
                let end = min(range.upperBound, (b + 1) * g)
                let out = x + (b * t + 1 + k) * d
                let a = patches + r * kdim
                let a16 = self.bf16Input(a, m: end - r, k: kdim, lda: kdim, for: self.matrices.patch, staging: s.patches16.pointer + r * kdim)
                self.product(m: end - r, n: d, k: kdim, a: a, lda: kdim, a16: a16, self.matrices.patch, c: out, ldc: d)
                for row in 0..<(end - r) {
                    let o = out + row * d, e = pos + (1 + k + row) * d
                    for i in 0..<d { o[i] += self.weights.patchBias.base[i] + e[i] }
                }
                r = end
            }
        } }
    }

    /// Block `index`'s LayerNorm and QKV projection: x → normed → qkv: [M, 3D].
    func normAndProject(_ index: Int, _ s: Scratch) {
        let chunks = rowChunks(s.rows)
        pool.forEach(chunks.count) { item, _ in
            self.normAndProject(index, s, rows: chunks[item])
        }
    }

    /// LayerNorm 1 and qkv = normed · Wqkv + b for `rows` (the bias inside the product on oneDNN).
    func normAndProject(_ index: Int, _ s: Scratch, rows: Range<Int>) {
        let block = weights.blocks[index], w = matrices.blocks[index].qkv
        let d = config.hidden, n = rows.count, r0 = rows.lowerBound
        let normed = s.normed.pointer + r0 * d, qkv = s.qkv.pointer + r0 * 3 * d
        profile.time(.layerNorm) {
            LayerNorm.apply(s.x.base + r0 * d, rows: n, dim: d, gamma: block.norm1Gamma.base, beta: block.norm1Beta.base,
                            eps: config.eps, out: normed)
        }
        let a16 = bf16Input(normed, m: n, k: d, lda: d, for: w, staging: s.normed16.pointer + r0 * d)
        profile.time(.qkv) {
            product(m: n, n: 3 * d, k: d, a: normed, lda: d, a16: a16, w, c: qkv, ldc: 3 * d)
            if case .oneDNN = w { return }
            Activation.addBias(qkv, rows: n, cols: 3 * d, bias: block.qkvBias.base)
        }
    }

    /// Multi-head self-attention, one (image, head) pair per item: context[b, :, h] =
    /// softmax(Q_bh · K_bhᵀ / √dh) · V_bh with Q_bh, K_bh, V_bh: [T, dh] read in place from qkv.
    /// With `clsOnly`, only the CLS query (row 0 of each image) is used and context is [N, D].
    func attention(_ s: Scratch, clsOnly: Bool) {
        let c = config, d = c.hidden, dh = c.headDim, t = s.tokens
        let queries = clsOnly ? 1 : t
        let scale = 1 / Float(dh).squareRoot()
        let wide = self.wide
        pool.forEach(s.images * c.heads) { item, worker in self.profile.time(.attention) {
            let (b, h) = item.quotientAndRemainder(dividingBy: c.heads)
            let q = s.qkv.base + b * t * 3 * d + h * dh
            let scores = s.scores.pointer + worker * t * t
            Gemm.sgemm(transB: true, m: queries, n: t, k: dh, a: q, lda: 3 * d, b: q + d, ldb: 3 * d, c: scores, ldc: t)
            if wide {
                WideKernels.softmaxRows(scores, rows: queries, cols: t, scale: scale)
            } else {
                Softmax.rows(scores, rows: queries, cols: t, scale: scale)
            }
            Gemm.sgemm(m: queries, n: dh, k: t, a: scores, lda: t, b: q + 2 * d, ldb: 3 * d,
                       c: s.context.pointer + b * queries * d + h * dh, ldc: d)
        } }
    }

    /// Moves each image's CLS row of x to the front: x[b·T] → x[b], so x[0..<N] holds them.
    func compactCLSRows(_ s: Scratch) {
        let d = config.hidden, t = s.tokens
        for b in 1..<max(s.images, 1) {
            (s.x.pointer + b * d).update(from: s.x.base + b * t * d, count: d)
        }
    }

    /// Attention projection and MLP of block `index` on the first `m` rows, then block `next`'s
    /// LayerNorm and QKV: x += ls1 ⊙ (context·Wo + bo); x += ls2 ⊙ (GELU(LN2(x)·W1 + b1)·W2 + b2).
    /// On oneDNN, fc1's bias, GELU and bf16 rounding happen inside its kernel and fc2 reads the bf16
    /// hidden layer it wrote.
    func outputAndMLP(_ index: Int, next: Int?, _ s: Scratch, rows m: Int) {
        let block = weights.blocks[index], w = matrices.blocks[index]
        let d = config.hidden, hdim = config.mlpHidden, wide = self.wide
        let chunks = rowChunks(m)
        pool.forEach(chunks.count) { item, _ in
            let rows = chunks[item], n = rows.count, r0 = rows.lowerBound
            let x = s.x.pointer + r0 * d, projected = s.projected.pointer + r0 * d
            let normed = s.normed.pointer + r0 * d, hidden = s.hidden.pointer + r0 * hdim
            let context = s.context.base + r0 * d
            let context16 = self.bf16Input(context, m: n, k: d, lda: d, for: w.out, staging: s.context16.pointer + r0 * d)
            self.profile.time(.projection) {
                self.product(m: n, n: d, k: d, a: context, lda: d, a16: context16, w.out, c: projected, ldc: d)
            }
            self.profile.time(.residual) {
                Activation.addScaledResidual(x, projected, rows: n, cols: d, bias: block.outBias.base, scale: block.layerScale1?.base)
            }
            self.profile.time(.layerNorm) {
                LayerNorm.apply(x, rows: n, dim: d, gamma: block.norm2Gamma.base, beta: block.norm2Beta.base, eps: self.config.eps, out: normed)
            }
            let normed16 = self.bf16Input(normed, m: n, k: d, lda: d, for: w.fc1, staging: s.normed16.pointer + r0 * d)
            let hidden16 = s.hidden16.pointer + r0 * hdim
            self.profile.time(.mlpUp) {
                if case .oneDNN = w.fc1 {
                    self.product(m: n, n: hdim, k: d, a: normed, lda: d, a16: normed16, w.fc1, c: hidden16, ldc: hdim)
                    return
                }
                self.product(m: n, n: hdim, k: d, a: normed, lda: d, a16: nil, w.fc1, c: hidden, ldc: hdim)
                if wide {
                    WideKernels.biasGELU(hidden, rows: n, cols: hdim, bias: block.fc1Bias.base)
                } else {
                    Activation.biasGELU(hidden, rows: n, cols: hdim, bias: block.fc1Bias.base)
                }
            }
            self.profile.time(.mlpDown) {
                let fused: UnsafePointer<UInt16>? = if case .oneDNN = w.fc1 { UnsafePointer(hidden16) } else { nil }
                let a16 = fused ?? self.bf16Input(hidden, m: n, k: hdim, lda: hdim, for: w.fc2, staging: hidden16)
                self.product(m: n, n: d, k: hdim, a: hidden, lda: hdim, a16: a16, w.fc2, c: projected, ldc: d)
            }
            self.profile.time(.residual) {
                Activation.addScaledResidual(x, projected, rows: n, cols: d, bias: block.fc2Bias.base, scale: block.layerScale2?.base)
            }
            if let next { self.normAndProject(next, s, rows: rows) }
        }
    }

    /// The compacted CLS rows after the final LayerNorm: x[0..<N] → out: [N, D], optionally
    /// L2-normalised.
    func finalNorm(_ s: Scratch, normalize: Bool, out ob: UnsafeMutablePointer<Float>) {
        let d = config.hidden
        for b in 0..<s.images {
            LayerNorm.apply(s.x.base + b * d, rows: 1, dim: d, gamma: weights.finalGamma.base,
                            beta: weights.finalBeta.base, eps: config.eps, out: ob + b * d)
            if normalize {
                var sum: Float = 0
                for i in 0..<d { sum += ob[b * d + i] * ob[b * d + i] }
                let inv = sum > 0 ? 1 / sum.squareRoot() : 0
                for i in 0..<d { ob[b * d + i] *= inv }
            }
        }
    }
}
