import CBLAS

/// Matrix products through OpenBLAS, with a naive reference twin for the tests.
public enum Gemm {
    /// C = alpha · op(A) · op(B) + beta · C on raw row-major buffers.
    /// a: [M, K] (or [K, M] when transA), b: [K, N] (or [N, K] when transB), c: [M, N].
    @inlinable
    public static func sgemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        BLASInfo.singleThreaded()
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// x: [M, K], w: [N, K] → x · wᵀ: [M, N] (the layout of a linear layer's weight).
    public static func matmulTransposed(_ x: Tensor, _ w: Tensor) -> Tensor {
        precondition(x.rank == 2 && w.rank == 2 && x.shape[1] == w.shape[1], "x \(x.shape) · wᵀ \(w.shape)")
        let m = x.shape[0], k = x.shape[1], n = w.shape[0]
        var out = Tensor(shape: [m, n])
        x.data.withUnsafeBufferPointer { xp in
            w.data.withUnsafeBufferPointer { wp in
                out.data.withUnsafeMutableBufferPointer { op in
                    guard let xb = xp.baseAddress, let wb = wp.baseAddress, let ob = op.baseAddress else { return }
                    sgemm(transB: true, m: m, n: n, k: k, a: xb, lda: k, b: wb, ldb: k, c: ob, ldc: n)
                }
            }
        }
        return out
    }

    /// x: [M, K], y: [K, N] → x · y: [M, N].
    public static func matmul(_ x: Tensor, _ y: Tensor) -> Tensor {
        precondition(x.rank == 2 && y.rank == 2 && x.shape[1] == y.shape[0], "x \(x.shape) · y \(y.shape)")
        let m = x.shape[0], k = x.shape[1], n = y.shape[1]
        var out = Tensor(shape: [m, n])
        x.data.withUnsafeBufferPointer { xp in
            y.data.withUnsafeBufferPointer { yp in
                out.data.withUnsafeMutableBufferPointer { op in
                    guard let xb = xp.baseAddress, let yb = yp.baseAddress, let ob = op.baseAddress else { return }
                    sgemm(m: m, n: n, k: k, a: xb, lda: k, b: yb, ldb: n, c: ob, ldc: n)
                }
            }
        }
        return out
    }

    /// Naive reference twin of `matmulTransposed`: x: [M, K], w: [N, K] → [M, N], accumulated in Double.
    public static func naiveMatmulTransposed(_ x: Tensor, _ w: Tensor) -> Tensor {
        precondition(x.rank == 2 && w.rank == 2 && x.shape[1] == w.shape[1], "x \(x.shape) · wᵀ \(w.shape)")
        let m = x.shape[0], k = x.shape[1], n = w.shape[0]
        var out = Tensor(shape: [m, n])
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += Double(x.data[i * k + p]) * Double(w.data[j * k + p]) }
                out.data[i * n + j] = Float(s)
            }
        }
        return out
    }
}

/// The BLAS library as loaded in this process.
public enum BLASInfo {
    /// OpenBLAS's name for the kernel family it runs (e.g. "Haswell", "SkylakeX", or "Prescott" as fallback).
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// OpenBLAS's build configuration line.
    public static var config: String {
        guard let p = openblas_get_config() else { return "unknown" }
        return String(cString: p)
    }

    /// Threads OpenBLAS uses for one call: 1 once herd has made its first call.
    public static var threads: Int {
        singleThreaded()
        return Int(openblas_get_num_threads())
    }

    /// The one place herd sets OpenBLAS's process-wide thread count: to 1, before its first product, once.
    /// herd's parallelism is its own (`ComputePool`): several threads each call single-threaded BLAS on
    /// their own rows, which beats OpenBLAS's threads on the small and mid-sized products herd runs, and
    /// nothing saves, changes or restores the setting afterwards, so no two callers race on it.
    /// (oneDNN's OpenMP thread count is per thread; `CDNNL` sets it to 1 on each calling thread.)
    @inlinable
    public static func singleThreaded() { _ = blasThreadsSet }
}

/// Set on first use (Swift runs a global's initialiser once, and makes concurrent first users wait for it).
@usableFromInline
let blasThreadsSet: Bool = {
    openblas_set_num_threads(1)
    return true
}()
