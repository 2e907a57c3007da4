import Tensor

/// Small GEMMs split by rows over a pool's threads, each calling single-threaded BLAS (herd's setting,
/// `BLASInfo.singleThreaded`): the head's GEMMs are too small for BLAS's own threading.
enum RowParallel {
    /// x: [N, D], w: [C, D] → out: [N, C] = x · wᵀ, rows split over the pool (at least 64 rows a part).
    static func timesTransposed(_ x: UnsafePointer<Float>, rows n: Int, _ w: UnsafePointer<Float>, outputs c: Int,
                                inner d: Int, into out: UnsafeMutablePointer<Float>, pool: ComputePool) {
        let parts = max(1, min(pool.threads, n / 64))
        pool.forEach(parts) { t, _ in
            let lo = t * n / parts, hi = (t + 1) * n / parts
            Gemm.sgemm(transB: true, m: hi - lo, n: c, k: d, a: x + lo * d, lda: d, b: w, ldb: d, c: out + lo * c, ldc: c)
        }
    }

    /// g: [N, C], x: [N, D] → out: [C, D] = gᵀ · x, summing per-part partial products (part 0 writes `out`).
    static func transposedTimes(_ g: UnsafePointer<Float>, rows n: Int, outputs c: Int, _ x: UnsafePointer<Float>,
                                inner d: Int, into out: UnsafeMutablePointer<Float>, pool: ComputePool) {
        let parts = max(1, min(pool.threads, n / 64))
        var partial = [Float](repeating: 0, count: max(0, parts - 1) * c * d)
        partial.withUnsafeMutableBufferPointer { pp in
            let extra = pp.baseAddress
            pool.forEach(parts) { t, _ in
                let lo = t * n / parts, hi = (t + 1) * n / parts
                let target = t == 0 ? out : extra.unsafelyUnwrapped + (t - 1) * c * d
                Gemm.sgemm(transA: true, m: c, n: d, k: hi - lo, a: g + lo * c, lda: c, b: x + lo * d, ldb: d, c: target, ldc: d)
            }
            for t in 1..<max(parts, 1) {
                let p = extra.unsafelyUnwrapped + (t - 1) * c * d
                for i in 0..<(c * d) { out[i] += p[i] }
            }
        }
    }
}
