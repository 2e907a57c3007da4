import Foundation

/// A 64-bit perceptual signature of a picture: the DCT hash ("pHash") of a 32 × 32 grey thumbnail.
/// Bit i is set when the i-th of the 8 × 8 lowest-frequency DCT coefficients (row-major, DC first) is above their
/// median, as the `imagehash` library's `phash` does. Resizing, re-encoding, a format change and a moderate
/// brightness change leave it within a few bits; a different picture differs in about half of them. The Hamming
/// distance between two signatures (`distance`) is the measure.
public enum PerceptualHash {
    /// Side of the grey thumbnail the DCT runs on.
    public static let side = 32
    /// Side of the block of low frequencies kept.
    public static let block = 8

    /// The signature of `image` (any size; it is squashed to 32 × 32, as pHash does, so the aspect ratio is ignored).
    public static func signature(of image: RGBImage) -> UInt64 {
        signature(ofGrey: grey(image))
    }

    /// The signature of a 32 × 32 grey thumbnail (row-major, 1024 values).
    public static func signature(ofGrey pixels: [Float]) -> UInt64 {
        bits(lowFrequencies(pixels))
    }

    /// Bands a signature is filed under for lookup: its 8 bytes, each keyed as `band * 256 + value`. Two signatures
    /// within `bandReach` bits of each other share at least one band (7 differing bits touch at most 7 of 8 bytes), so
    /// looking up the 8 keys finds every such signature without comparing against all of them.
    public static func bands(_ signature: UInt64) -> [Int] {
        (0..<8).map { band in band * 256 + Int((signature >> UInt64(8 * band)) & 0xFF) }
    }

    /// The largest Hamming distance `bands` is sure to find.
    public static let bandReach = 7

    /// Bits differing between two signatures (0…64).
    public static func distance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }

    /// The 32 × 32 grey thumbnail: bicubic, antialiased resize of the RGB image, then ITU-R 601 luma.
    /// image [H, W, 3] → [32, 32]
    public static func grey(_ image: RGBImage) -> [Float] {
        let small = image.width == side && image.height == side ? image : Resampler.resize(image, width: side, height: side)
        var out = [Float](repeating: 0, count: side * side)
        for i in 0..<(side * side) {
            let r = Float(small.pixels[3 * i]), g = Float(small.pixels[3 * i + 1]), b = Float(small.pixels[3 * i + 2])
            out[i] = 0.299 * r + 0.587 * g + 0.114 * b
        }
        return out
    }

    /// The 8 × 8 lowest frequencies of the unnormalised 2-D DCT-II, computed separably (rows, then columns).
    /// x [32, 32] → [8, 8]; X[u, v] = Σ_y Σ_x x[y, x] · cos(π(2y+1)u / 64) · cos(π(2x+1)v / 64).
    public static func lowFrequencies(_ x: [Float]) -> [Float] {
        precondition(x.count == side * side, "pHash input must be 32 × 32")
        let basis = cosines
        // rows: [32, 32] → [32, 8] (frequency along x)
        var rows = [Float](repeating: 0, count: side * block)
        for y in 0..<side {
            for v in 0..<block {
                var sum: Float = 0
                for col in 0..<side { sum += x[y * side + col] * basis[v * side + col] }
                rows[y * block + v] = sum
            }
        }
        // columns: [32, 8] → [8, 8] (frequency along y)
        var out = [Float](repeating: 0, count: block * block)
        for u in 0..<block {
            for v in 0..<block {
                var sum: Float = 0
                for y in 0..<side { sum += rows[y * block + v] * basis[u * side + y] }
                out[u * block + v] = sum
            }
        }
        return out
    }

    /// Bit i set where coefficient i is above the median of all 64 (the mean of the middle two).
    static func bits(_ coefficients: [Float]) -> UInt64 {
        let sorted = coefficients.sorted()
        let median = (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        var signature: UInt64 = 0
        for (i, c) in coefficients.enumerated() where c > median { signature |= 1 << UInt64(i) }
        return signature
    }

    /// cos(π(2n+1)k / 64) for k < 8, n < 32: [8, 32].
    private static let cosines: [Float] = (0..<block).flatMap { k in
        (0..<side).map { n in Float(cos(Double.pi * Double(2 * n + 1) * Double(k) / Double(2 * side))) }
    }
}
