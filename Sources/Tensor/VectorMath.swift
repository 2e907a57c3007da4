/// exp and erf on 8 float32 lanes, accurate to a few ulp, in plain SIMD arithmetic that the
/// compiler maps to vector instructions (only lane-wise float and integer ops: the generic
/// float↔int conversions and masked selects of the standard library are much slower).
/// The scalar references are `Foundation.exp`/`erf`.
public enum VectorMath {
    /// Lanes per vector.
    public typealias Vector = SIMD8<Float>
    /// Integer lanes of the same width, for bit manipulation.
    public typealias Bits = SIMD8<UInt32>

    /// e^x per lane (Cephes expf: range reduction by ln 2, degree-5 polynomial). Inputs are
    /// clamped to [-87.3, 88.3]: e^x below ≈ 1.2e-38 comes out as that, not 0.
    @inlinable @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        let clamped = clamp(x, -87.3, 88.3)
        // n = round(x / ln 2) by the 1.5·2²³ trick: adding it leaves the rounded integer in the
        // low mantissa bits.
        let magic: Float = 12_582_912
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        // r = x − n·ln2, with ln2 split in two so the product is exact.
        var r = clamped - n * 0.693_359_375
        r = r + n * 2.121_944_4e-4
        var p = Vector(repeating: 1.987_569_1e-4)
        p = p * r + 1.398_199_9e-3
        p = p * r + 8.333_452e-3
        p = p * r + 4.166_579_6e-2
        p = p * r + 1.666_666_5e-1
        p = p * r + 5e-1
        p = p * (r * r) + r + 1
        // 2ⁿ: the integer n sits in the low bits of `shifted`; move it into the exponent field.
        let exponent = (unsafeBitCast(shifted, to: Bits.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: Vector.self)
    }

    /// x clamped to [low, high] per lane, written lane by lane so it inlines to vector min/max
    /// (the generic `pointwiseMin`/`pointwiseMax` are not inlined).
    @inlinable @inline(__always)
    static func clamp(_ x: Vector, _ low: Float, _ high: Float) -> Vector {
        var out = x
        for i in 0..<Vector.scalarCount { out[i] = Swift.min(Swift.max(x[i], low), high) }
        return out
    }

    /// Lane-wise maximum (written out so it inlines to a vector max).
    @inlinable @inline(__always)
    public static func maximum(_ a: Vector, _ b: Vector) -> Vector {
        var out = a
        for i in 0..<Vector.scalarCount { out[i] = Swift.max(a[i], b[i]) }
        return out
    }

    /// Loads 8 floats from `p` (no alignment needed).
    @inlinable @inline(__always)
    public static func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    /// Stores 8 floats at `p` (no alignment needed).
    @inlinable @inline(__always)
    public static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }

    /// erf(x) per lane (Abramowitz & Stegun 7.1.26: a degree-5 polynomial in t = 1/(1 + p|x|)
    /// times e^(−x²)); absolute error below 1.5e-7 (plus float32 rounding).
    @inlinable @inline(__always)
    public static func erf(_ x: Vector) -> Vector {
        let bits = unsafeBitCast(x, to: Bits.self)
        let sign = bits & 0x8000_0000
        let a: Vector = unsafeBitCast(bits & 0x7FFF_FFFF, to: Vector.self)
        let t: Vector = 1 / (1 + 0.327_591_1 * a)
        var y = Vector(repeating: 1.061_405_429)
        y = y * t - 1.453_152_027
        y = y * t + 1.421_413_741
        y = y * t - 0.284_496_736
        y = y * t + 0.254_829_592
        let square: Vector = a * a
        let tail: Vector = y * t * exp(-square)
        let r: Vector = 1 - tail
        return unsafeBitCast(unsafeBitCast(r, to: Bits.self) | sign, to: Vector.self)
    }
}
