import CKernels

/// bf16 matrix products: inputs rounded to bfloat16 (nearest even), products accumulated in
/// float32 by VDPBF16PS, which does twice the multiply-adds per cycle of a float32 FMA.
public enum BF16 {
    /// Whether this CPU and OS run the bf16 kernels (AVX512F, AVX512BW and AVX512_BF16, zmm state
    /// saved by the OS).
    public static let isSupported: Bool = herd_cpu_has_avx512_bf16() != 0

    /// x rounded to bf16 as the kernels round it (nearest even; denormals to zero), as a Float.
    public static func rounded(_ x: Float) -> Float {
        Float(bitPattern: UInt32(herd_bf16_round(x)) << 16)
    }
}

/// A weight matrix w: [K, N] packed once into bf16 panels for `multiply` (half the bytes of
/// float32): 32 columns per panel, rows in pairs, so one 64-byte load feeds one VDPBF16PS.
///
/// `@unchecked Sendable`: the buffer is written once in `init` and only read afterwards.
public final class BF16Matrix: @unchecked Sendable {
    /// K: rows of w (the inner dimension of a product).
    public let rows: Int
    /// N: columns of w (the output width).
    public let columns: Int
    private let storage: UnsafeMutablePointer<UInt16>
    private let count: Int

    /// Packs w: [rows, columns] float32 row-major (leading dimension `ldw`, default `columns`).
    public init(packing w: UnsafePointer<Float>, rows: Int, columns: Int, ldw: Int? = nil) {
        precondition(rows >= 0 && columns >= 0 && (ldw ?? columns) >= columns)
        self.rows = rows
        self.columns = columns
        count = max(1, herd_bf16_packed_count(rows, columns))
        // 64-byte aligned: each 64-byte panel load then reads one cache line, not two (malloc gives
        // 16, and which of the four offsets a matrix got changed a model's speed from load to load).
        storage = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<UInt16>.stride, alignment: 64)
            .bindMemory(to: UInt16.self, capacity: count)
        storage.initialize(repeating: 0, count: count)
        herd_bf16_pack(w, rows, columns, ldw ?? columns, storage)
    }

    deinit { UnsafeMutableRawPointer(storage).deallocate() }

    /// Bytes the packed matrix takes.
    public var byteCount: Int { count * MemoryLayout<UInt16>.stride }

    /// c: [m, N] (leading dimension ldc) = a: [m, K] (lda) · w, plus the old c when `accumulate`.
    /// a is rounded to bf16 as it is read. Runs on the calling thread; needs `BF16.isSupported`.
    public func multiply(m: Int, a: UnsafePointer<Float>, lda: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false) {
        precondition(BF16.isSupported, "bf16 GEMM on a CPU without AVX512_BF16")
        precondition(m >= 0 && lda >= rows && ldc >= columns)
        herd_bf16_gemm(m, columns, rows, a, lda, storage, c, ldc, accumulate ? 1 : 0)
    }
}
