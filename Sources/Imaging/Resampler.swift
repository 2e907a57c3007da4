import Foundation

/// Antialiased separable resampling with the bicubic kernel (a = −0.5), computed the way Pillow's
/// `Image.resize(…, BICUBIC)` does: the kernel widens by the downscale factor, coefficients are
/// 22-bit fixed point, the horizontal pass runs first into an 8-bit intermediate.
/// The DINO evaluation transform is defined on Pillow, so matching it keeps features comparable.
public enum Resampler {
    /// Fractional bits of the fixed-point coefficients (Pillow's PRECISION_BITS for 8-bit images).
    static let precisionBits = 22

    /// Bicubic kernel, a = −0.5; support 2.
    static func bicubic(_ t: Double) -> Double {
        let a = -0.5
        let x = abs(t)
        if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0
    }

    /// Coefficients for resampling `inSize` samples to `outSize`: per output sample the first input
    /// index, the tap count, and `taps` fixed-point weights (zero-padded).
    struct Coefficients {
        var taps: Int
        var first: [Int]
        var count: [Int]
        var weights: [Int32]
    }

    static func coefficients(inSize: Int, outSize: Int) -> Coefficients {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = 2.0 * filterScale
        let taps = Int(support.rounded(.up)) * 2 + 1
        var first = [Int](repeating: 0, count: outSize)
        var count = [Int](repeating: 0, count: outSize)
        var weights = [Int32](repeating: 0, count: outSize * taps)
        var k = [Double](repeating: 0, count: taps)
        let one = Double(1 << precisionBits)
        for o in 0..<outSize {
            let center = (Double(o) + 0.5) * scale
            // Pillow rounds with a cast toward zero, then clamps.
            let lo = max(Int(center - support + 0.5), 0)
            let hi = min(Int(center + support + 0.5), inSize)
            let n = hi - lo
            var total = 0.0
            for i in 0..<n {
                k[i] = bicubic((Double(i + lo) - center + 0.5) / filterScale)
                total += k[i]
            }
            for i in 0..<n {
                let w = total != 0 ? k[i] / total : 0
                weights[o * taps + i] = Int32(w < 0 ? (w * one - 0.5) : (w * one + 0.5))
            }
            first[o] = lo
            count[o] = n
        }
        return Coefficients(taps: taps, first: first, count: count, weights: weights)
    }

    /// 8-bit RGB pixels in memory the caller owns for the duration of one call: an image's own
    /// interleaved buffer, or a decoder's output read in place, interleaved or as three planes.
    /// Channel `c` of pixel (x, y) is at `channels[c] + y * strides[c] + x * pixelStep`.
    struct Source {
        var channels: (UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>)
        var strides: (Int, Int, Int)
        /// 3 for interleaved RGB, 1 for planes.
        var pixelStep: Int
        var width: Int
        var height: Int

        /// Interleaved RGB rows, `stride` bytes apart.
        init(base: UnsafePointer<UInt8>, width: Int, height: Int, stride: Int) {
            channels = (base, base + 1, base + 2)
            strides = (stride, stride, stride)
            pixelStep = 3
            self.width = width
            self.height = height
        }

        /// Three planes of `width` × `height` bytes (R, G, B), each with its own row stride.
        init(planes: (UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>), strides: (Int, Int, Int),
             width: Int, height: Int) {
            channels = planes
            self.strides = strides
            pixelStep = 1
            self.width = width
            self.height = height
        }
    }

    /// `image` resampled to `width` × `height`.
    public static func resize(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        resize(image, width: width, height: height, window: (0, 0, width, height))
    }

    /// The `window` (x, y, w, h) of `image` resampled to `width` × `height`: the same pixels as
    /// resizing fully and then cropping, computing only what the window needs.
    public static func resize(_ image: RGBImage, width: Int, height: Int,
                              window: (x: Int, y: Int, width: Int, height: Int)) -> RGBImage {
        image.pixels.withUnsafeBufferPointer { pixels in
            guard let base = pixels.baseAddress else { return RGBImage(width: window.width, height: window.height) }
            return resize(Source(base: base, width: image.width, height: image.height, stride: image.width * 3),
                          width: width, height: height, window: window)
        }
    }

    /// `resize(_:width:height:window:)` over pixels in place.
    static func resize(_ source: Source, width: Int, height: Int,
                       window: (x: Int, y: Int, width: Int, height: Int)) -> RGBImage {
        precondition(width > 0 && height > 0, "resize to \(width)×\(height)")
        precondition(window.x >= 0 && window.y >= 0 && window.x + window.width <= width && window.y + window.height <= height,
                     "window outside the resized image")
        let columns = window.x ..< window.x + window.width
        let rows = window.y ..< window.y + window.height
        let horizontal = coefficients(inSize: source.width, outSize: width)
        // Like Pillow, a dimension that keeps its size is not resampled at all.
        if height == source.height {
            return horizontalPass(source, rows: rows, coefficients: horizontal, columns: columns)
        }
        let vertical = coefficients(inSize: source.height, outSize: height)
        // Input rows the vertical pass reads.
        let firstRow = vertical.first[rows.lowerBound]
        let lastRow = rows.map { vertical.first[$0] + vertical.count[$0] }.max() ?? firstRow
        let band = horizontalPass(source, rows: firstRow ..< lastRow, coefficients: horizontal, columns: columns)
        return verticalPass(band, rowOffset: firstRow, coefficients: vertical, rows: rows)
    }

    private static let half = Int32(1 << (precisionBits - 1))

    @inline(__always)
    private static func clip8(_ v: Int32) -> UInt8 {
        let s = v >> Int32(precisionBits)
        return s < 0 ? 0 : s > 255 ? 255 : UInt8(s)
    }

    /// src rows `rows`: [R, W, 3] → [R, columns.count, 3]; a plain crop when the width does not change.
    /// Each channel is filtered on its own, so a planar source reads contiguous bytes per tap.
    static func horizontalPass(_ src: Source, rows: Range<Int>, coefficients c: Coefficients, columns: Range<Int>) -> RGBImage {
        let h = rows.count, width = columns.count, step = src.pixelStep
        precondition(step == 1 || step == 3, "pixels are planar (1) or interleaved RGB (3)")
        let channels = [(src.channels.0, src.strides.0), (src.channels.1, src.strides.1), (src.channels.2, src.strides.2)]
        var out = [UInt8](repeating: 0, count: width * h * 3)
        out.withUnsafeMutableBufferPointer { d in
            if c.first.count == src.width {
                for y in 0..<h {
                    for (ch, (base, stride)) in channels.enumerated() {
                        let row = base + (rows.lowerBound + y) * stride + columns.lowerBound * step
                        for x in 0..<width { d[(y * width + x) * 3 + ch] = row[x * step] }
                    }
                }
                return
            }
            c.weights.withUnsafeBufferPointer { kw in
                for y in 0..<h {
                    for (ch, (base, stride)) in channels.enumerated() {
                        let row = base + (rows.lowerBound + y) * stride
                        if step == 1 {
                            filterRow(row, step: 1, into: d, at: y * width * 3 + ch, c, kw, columns)
                        } else {
                            filterRow(row, step: 3, into: d, at: y * width * 3 + ch, c, kw, columns)
                        }
                    }
                }
            }
        }
        return RGBImage(width: width, height: h, pixels: out)
    }

    /// One channel of one row through the horizontal filter: output column `j` (of `columns`) goes to
    /// `d[offset + 3 j]`. Called with a literal `step` so that the planar case (step 1) vectorises.
    @inline(__always)
    private static func filterRow(_ row: UnsafePointer<UInt8>, step: Int, into d: UnsafeMutableBufferPointer<UInt8>, at offset: Int,
                                  _ c: Coefficients, _ kw: UnsafeBufferPointer<Int32>, _ columns: Range<Int>) {
        guard let weights = kw.baseAddress else { return }
        for (j, o) in columns.enumerated() {
            let p = row + c.first[o] * step, w = weights + o * c.taps
            var acc = half
            for i in 0..<c.count[o] { acc &+= Int32(p[i * step]) &* w[i] }
            d[offset + 3 * j] = clip8(acc)
        }
    }

    /// A band of input rows starting at `rowOffset`: [B, W, 3] → [rows.count, W, 3].
    static func verticalPass(_ src: RGBImage, rowOffset: Int, coefficients c: Coefficients, rows: Range<Int>) -> RGBImage {
        let w = src.width, stride = w * 3
        var out = [UInt8](repeating: 0, count: w * rows.count * 3)
        var acc = [Int32](repeating: 0, count: stride)
        src.pixels.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                acc.withUnsafeMutableBufferPointer { a in
                    for (j, o) in rows.enumerated() {
                        for x in 0..<stride { a[x] = half }
                        for i in 0..<c.count[o] {
                            let wgt = c.weights[o * c.taps + i]
                            let row = (c.first[o] - rowOffset + i) * stride
                            for x in 0..<stride { a[x] &+= Int32(s[row + x]) &* wgt }
                        }
                        let drow = j * stride
                        for x in 0..<stride { d[drow + x] = clip8(a[x]) }
                    }
                }
            }
        }
        return RGBImage(width: w, height: rows.count, pixels: out)
    }
}

extension RGBImage {
    /// A copy of `source` as an interleaved image.
    init(interleaving source: Resampler.Source) {
        let w = source.width, h = source.height, step = source.pixelStep
        let channels = [(source.channels.0, source.strides.0), (source.channels.1, source.strides.1),
                        (source.channels.2, source.strides.2)]
        // Every byte is written below, so the buffer is not zero-filled first.
        let pixels = [UInt8](unsafeUninitializedCapacity: w * h * 3) { out, initialised in
            guard let base = out.baseAddress else { return }
            for y in 0..<h {
                let dst = base + y * w * 3
                if step == 3 {
                    dst.initialize(from: channels[0].0 + y * channels[0].1, count: w * 3)
                    continue
                }
                for (c, (plane, stride)) in channels.enumerated() {
                    let row = plane + y * stride
                    for x in 0..<w { (dst + 3 * x + c).initialize(to: row[x * step]) }
                }
            }
            initialised = w * h * 3
        }
        self.init(width: w, height: h, pixels: pixels)
    }
}
