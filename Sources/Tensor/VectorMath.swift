/// exp and erf on 8 float32 lanes, accurate to a few ulp, in plain SIMD arithmetic that the
/// compiler maps to vector instructions. The scalar references are `Foundation.exp`/`erf`.
public enum VectorMath {
    /// Lanes per vector.
    public typealias Vector = SIMD8<Float>

    /// e^x per lane (Cephes expf: range reduction by ln 2, degree-5 polynomial); x ≤ -87.3 gives 0.
    @inlinable @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        let clamped = x.clamped(lowerBound: Vector(repeating: -87.3), upperBound: Vector(repeating: 88.3))
        let n = (clamped * 1.442_695_04).rounded(.toNearestOrEven)
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
        let exponent = (SIMD8<Int32>(n, rounding: .towardZero) &+ 127) &<< 23
        let scale = unsafeBitCast(exponent, to: Vector.self)
        return (p * scale).replacing(with: 0, where: x .< -87.3)
    }

    /// erf(x) per lane (Abramowitz & Stegun 7.1.26: a degree-5 polynomial in t = 1/(1 + p|x|)
    /// times e^(−x²)); absolute error below 1.5e-7 (plus float32 rounding).
    @inlinable @inline(__always)
    public static func erf(_ x: Vector) -> Vector {
        let a = x.replacing(with: -x, where: x .< 0)
        let t: Vector = 1 / (1 + 0.327_591_1 * a)
        var y = Vector(repeating: 1.061_405_429)
        y = y * t - 1.453_152_027
        y = y * t + 1.421_413_741
        y = y * t - 0.284_496_736
        y = y * t + 0.254_829_592
        let tail: Vector = y * t * exp(-(a * a))
        let r: Vector = 1 - tail
        return r.replacing(with: -r, where: x .< 0)
    }
}
