import CKernels

/// GELU and softmax on 16 AVX-512 lanes (C, compiled for AVX-512 per function), for the bf16 path:
/// every CPU with AVX512_BF16 has AVX-512F, while the default build's Swift kernels (`Activation`,
/// `Softmax`) get only the baseline x86-64 vector width. Same polynomials as those, so the results
/// agree to float32 rounding. Callers check `BF16.isSupported`.
public enum WideKernels {
    /// In place: x: [rows, cols], bias: [cols] → x = GELU(x + bias) (erf form), as `Activation.biasGELU`.
    public static func biasGELU(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, bias: UnsafePointer<Float>) {
        precondition(BF16.isSupported, "AVX-512 kernels on a CPU without them")
        herd_avx512_bias_gelu(x, rows, cols, bias)
    }

    /// In place: x: [rows, cols] (row stride `stride`, default cols) → softmax(scale · x) per row, as
    /// `Softmax.rows`; scale must be positive.
    public static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, stride: Int? = nil, scale: Float = 1) {
        precondition(BF16.isSupported, "AVX-512 kernels on a CPU without them")
        herd_avx512_softmax_rows(x, rows, cols, stride ?? cols, scale)
    }
}
