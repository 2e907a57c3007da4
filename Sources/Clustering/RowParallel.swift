import Dispatch
import Tensor

/// Small GEMMs split by rows over our own threads, each calling single-threaded BLAS.
/// The head's GEMMs are too small for BLAS threading (its threads spend the time yielding);
/// callers set `BLASInfo.setThreads(1)` around a run of these.
enum RowParallel {
    /// x: [N, D], w: [C, D] → out: [N, C] = x · wᵀ, rows split over `threads`.
    static func timesTransposed(_ x: UnsafePointer<Float>, rows n: Int, _ w: UnsafePointer<Float>, outputs c: Int,
                                inner d: Int, into out: UnsafeMutablePointer<Float>, threads: Int) {
        let parts = max(1, min(threads, n / 64))
        let job = Pointers(x: x, w: w, out: out)
        DispatchQueue.concurrentPerform(iterations: parts) { t in
            let lo = t * n / parts, hi = (t + 1) * n / parts
            Gemm.sgemm(transB: true, m: hi - lo, n: c, k: d, a: job.x + lo * d, lda: d, b: job.w, ldb: d,
                       c: job.out + lo * c, ldc: c)
        }
    }

    /// g: [N, C], x: [N, D] → out: [C, D] = gᵀ · x, summing per-thread partial products.
    static func transposedTimes(_ g: UnsafePointer<Float>, rows n: Int, outputs c: Int, _ x: UnsafePointer<Float>,
                                inner d: Int, into out: UnsafeMutablePointer<Float>, threads: Int) {
        let parts = max(1, min(threads, n / 64))
        var partial = [Float](repeating: 0, count: max(0, parts - 1) * c * d)
        partial.withUnsafeMutableBufferPointer { pp in
            let job = Pointers(x: x, w: g, out: out, extra: pp.baseAddress)
            DispatchQueue.concurrentPerform(iterations: parts) { t in
                let lo = t * n / parts, hi = (t + 1) * n / parts
                let target = t == 0 ? job.out : job.extra.unsafelyUnwrapped + (t - 1) * c * d
                Gemm.sgemm(transA: true, m: c, n: d, k: hi - lo, a: job.w + lo * c, lda: c, b: job.x + lo * d, ldb: d,
                           c: target, ldc: d)
            }
            for t in 1..<max(parts, 1) {
                let p = job.extra.unsafelyUnwrapped + (t - 1) * c * d
                for i in 0..<(c * d) { out[i] += p[i] }
            }
        }
    }

    /// Buffers shared by the row jobs.
    private struct Pointers: @unchecked Sendable {
        // @unchecked: each job reads shared inputs and writes only its own rows or its own partial buffer.
        var x: UnsafePointer<Float>
        var w: UnsafePointer<Float>
        var out: UnsafeMutablePointer<Float>
        var extra: UnsafeMutablePointer<Float>? = nil
    }
}
