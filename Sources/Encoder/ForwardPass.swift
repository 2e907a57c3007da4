import Tensor

/// One forward pass over a batch held in one `Scratch`, parallelised over rows and heads by `pool`.
/// Shapes: N images, T = 1 + g tokens each, M = N·T rows, D hidden, H MLP hidden, p patch side;
/// weights stored [in, out] (y = x·W + b).
struct ForwardPass {
    let weights: ViTWeights
    let pool: ComputePool
    let scratch: Scratch
    /// Position embeddings for this input's grid: [T, D].
    let positions: FloatBuffer

    var config: ViTConfig { weights.config }

    /// c: [m, n] = a: [m, k] · w, w: [k, n] as float32 `w` or packed to bf16 (`packed`): on the bf16
    /// kernel when the weights are packed, else OpenBLAS sgemm.
    func product(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, _ w: FloatBuffer, _ packed: BF16Matrix?,
                 c: UnsafeMutablePointer<Float>, ldc: Int) {
        if let packed {
            packed.multiply(m: m, a: a, lda: lda, c: c, ldc: ldc)
        } else {
            precondition(w.count == k * n, "float32 weights released for bf16")
            Gemm.sgemm(m: m, n: n, k: k, a: a, lda: lda, b: w.base, ldb: n, c: c, ldc: ldc)
        }
    }

    /// pixels: [N, 3, H, W] → CLS features [N, D] written to `out` (L2-normalised if asked).
    func run(_ pixels: UnsafePointer<Float>, height: Int, width: Int, normalize: Bool, out: UnsafeMutablePointer<Float>) {
        let s = scratch
        embed(pixels, images: s.images, height: height, width: width, positions: positions, into: s)
        for (i, block) in weights.blocks.enumerated() {
            if i == 0 { normAndProject(block, s) }
            if i + 1 < weights.blocks.count {
                attention(s, clsOnly: false)
                outputAndMLP(block, next: weights.blocks[i + 1], s, rows: s.rows)
            } else {
                // Only the CLS token is output, and after the last attention every row is on its
                // own: attend from the CLS query alone and run the rest on the N CLS rows (≈ 6% of
                // ViT-S/16's work saved, same values).
                attention(s, clsOnly: true)
                compactCLSRows(s)
                outputAndMLP(block, next: nil, s, rows: s.images)
            }
        }
        finalNorm(s, normalize: normalize, out: out)
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
        pool.forEach(chunks.count) { item, _ in
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
                self.product(m: end - r, n: d, k: kdim, a: patches + r * kdim, lda: kdim,
                             self.weights.patchWeight, self.weights.patchPacked, c: out, ldc: d)
                for row in 0..<(end - r) {
                    let o = out + row * d, e = pos + (1 + k + row) * d
                    for i in 0..<d { o[i] += self.weights.patchBias.base[i] + e[i] }
                }
                r = end
            }
        }
    }

    /// The first block's LayerNorm and QKV projection: x → normed → qkv: [M, 3D].
    func normAndProject(_ block: ViTWeights.Block, _ s: Scratch) {
        let chunks = rowChunks(s.rows)
        pool.forEach(chunks.count) { item, _ in
            self.normAndProject(block, s, rows: chunks[item])
        }
    }

    /// LayerNorm 1 and qkv = normed · Wqkv + b for `rows`.
    func normAndProject(_ block: ViTWeights.Block, _ s: Scratch, rows: Range<Int>) {
        let d = config.hidden, n = rows.count, r0 = rows.lowerBound
        let normed = s.normed.pointer + r0 * d, qkv = s.qkv.pointer + r0 * 3 * d
        LayerNorm.apply(s.x.base + r0 * d, rows: n, dim: d, gamma: block.norm1Gamma.base, beta: block.norm1Beta.base,
                        eps: config.eps, out: normed)
        product(m: n, n: 3 * d, k: d, a: normed, lda: d, block.qkvWeight, block.packed?.qkv, c: qkv, ldc: 3 * d)
        Activation.addBias(qkv, rows: n, cols: 3 * d, bias: block.qkvBias.base)
    }

    /// Multi-head self-attention, one (image, head) pair per item: context[b, :, h] =
    /// softmax(Q_bh · K_bhᵀ / √dh) · V_bh with Q_bh, K_bh, V_bh: [T, dh] read in place from qkv.
    /// With `clsOnly`, only the CLS query (row 0 of each image) is used and context is [N, D].
    func attention(_ s: Scratch, clsOnly: Bool) {
        let c = config, d = c.hidden, dh = c.headDim, t = s.tokens
        let queries = clsOnly ? 1 : t
        let scale = 1 / Float(dh).squareRoot()
        pool.forEach(s.images * c.heads) { item, worker in
            let (b, h) = item.quotientAndRemainder(dividingBy: c.heads)
            let q = s.qkv.base + b * t * 3 * d + h * dh
            let scores = s.scores.pointer + worker * t * t
            Gemm.sgemm(transB: true, m: queries, n: t, k: dh, a: q, lda: 3 * d, b: q + d, ldb: 3 * d, c: scores, ldc: t)
            if self.weights.hasBF16Panels {
                WideKernels.softmaxRows(scores, rows: queries, cols: t, scale: scale)
            } else {
                Softmax.rows(scores, rows: queries, cols: t, scale: scale)
            }
            Gemm.sgemm(m: queries, n: dh, k: t, a: scores, lda: t, b: q + 2 * d, ldb: 3 * d,
                       c: s.context.pointer + b * queries * d + h * dh, ldc: d)
        }
    }

    /// Moves each image's CLS row of x to the front: x[b·T] → x[b], so x[0..<N] holds them.
    func compactCLSRows(_ s: Scratch) {
        let d = config.hidden, t = s.tokens
        for b in 1..<max(s.images, 1) {
            (s.x.pointer + b * d).update(from: s.x.base + b * t * d, count: d)
        }
    }

    /// Attention projection and MLP on the first `m` rows, then the next block's LayerNorm and QKV:
    /// x += ls1 ⊙ (context·Wo + bo); x += ls2 ⊙ (GELU(LN2(x)·W1 + b1)·W2 + b2).
    func outputAndMLP(_ block: ViTWeights.Block, next: ViTWeights.Block?, _ s: Scratch, rows m: Int) {
        let d = config.hidden, hdim = config.mlpHidden
        let chunks = rowChunks(m)
        pool.forEach(chunks.count) { item, _ in
            let rows = chunks[item], n = rows.count, r0 = rows.lowerBound
            let x = s.x.pointer + r0 * d, projected = s.projected.pointer + r0 * d
            let normed = s.normed.pointer + r0 * d, hidden = s.hidden.pointer + r0 * hdim
            self.product(m: n, n: d, k: d, a: s.context.base + r0 * d, lda: d, block.outWeight, block.packed?.out, c: projected, ldc: d)
            Activation.addScaledResidual(x, projected, rows: n, cols: d, bias: block.outBias.base, scale: block.layerScale1?.base)
            LayerNorm.apply(x, rows: n, dim: d, gamma: block.norm2Gamma.base, beta: block.norm2Beta.base, eps: self.config.eps, out: normed)
            self.product(m: n, n: hdim, k: d, a: normed, lda: d, block.fc1Weight, block.packed?.fc1, c: hidden, ldc: hdim)
            if self.weights.hasBF16Panels {
                WideKernels.biasGELU(hidden, rows: n, cols: hdim, bias: block.fc1Bias.base)
            } else {
                Activation.biasGELU(hidden, rows: n, cols: hdim, bias: block.fc1Bias.base)
            }
            self.product(m: n, n: d, k: hdim, a: hidden, lda: hdim, block.fc2Weight, block.packed?.fc2, c: projected, ldc: d)
            Activation.addScaledResidual(x, projected, rows: n, cols: d, bias: block.fc2Bias.base, scale: block.layerScale2?.base)
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
