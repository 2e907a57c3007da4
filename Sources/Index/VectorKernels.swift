/// Distance kernels over contiguous float buffers. The naive twins live in the tests.
public enum VectorKernels {
    /// a: [n], b: [n] → Σ a·b, with two 8-wide accumulators.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= n {
            s0 += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            s1 += ra.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
            i += 16
        }
        var s = (s0 + s1).sum()
        while i < n {
            s += a[i] * b[i]
            i += 1
        }
        return s
    }

    /// a: [n], b: [n] → ‖a − b‖², with two 8-wide accumulators.
    @inlinable
    public static func squaredL2(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= n {
            let d0 = ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                - rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let d1 = ra.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
                - rb.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
            s0 += d0 * d0
            s1 += d1 * d1
            i += 16
        }
        var s = (s0 + s1).sum()
        while i < n {
            let d = a[i] - b[i]
            s += d * d
            i += 1
        }
        return s
    }

    /// The distance of `metric` between a: [n] and b: [n]; for cosine both must already be unit length.
    @inlinable
    public static func distance(_ metric: Metric, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        switch metric {
        case .cosine: 1 - dot(a, b, n)
        case .l2: squaredL2(a, b, n)
        }
    }

    /// x: [n] scaled in place to unit length (left as is when all zero).
    @inlinable
    public static func normalise(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        let norm = dot(x, x, n).squareRoot()
        guard norm > 0 else { return }
        let inv = 1 / norm
        for i in 0..<n { x[i] *= inv }
    }

    /// rows: [count, dimension] with every row scaled in place to unit length.
    public static func normaliseRows(_ rows: inout [Float], dimension: Int) {
        guard dimension > 0 else { return }
        let count = rows.count / dimension
        rows.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            for r in 0..<count { normalise(base + r * dimension, dimension) }
        }
    }
}
