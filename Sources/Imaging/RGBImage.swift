/// An 8-bit RGB image: interleaved, rows top to bottom, no padding.
public struct RGBImage: Sendable, Equatable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// `width * height * 3` bytes, R G B per pixel.
    public var pixels: [UInt8]

    /// An image over `pixels`; the byte count must match (programmer error otherwise).
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3,
                     "RGB image \(width)×\(height) needs \(width * height * 3) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image filled with one colour.
    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            pixels[3 * i] = fill.0
            pixels[3 * i + 1] = fill.1
            pixels[3 * i + 2] = fill.2
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// The pixel at column `x`, row `y`.
    public func pixel(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// The rectangle at (`x`, `y`) of the given size, copied; it must lie inside the image.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> RGBImage {
        precondition(x >= 0 && y >= 0 && x + w <= width && y + h <= height, "crop outside image")
        var out = [UInt8](repeating: 0, count: w * h * 3)
        for row in 0..<h {
            let src = ((y + row) * width + x) * 3
            out.replaceSubrange(row * w * 3 ..< (row + 1) * w * 3, with: pixels[src ..< src + w * 3])
        }
        return RGBImage(width: w, height: h, pixels: out)
    }
}

/// EXIF orientation (tag 0x0112): how the stored pixels must be turned to show the picture upright.
public enum Orientation: Int, Sendable, Codable, CaseIterable {
    case up = 1, upMirrored, down, downMirrored, leftMirrored, right, rightMirrored, left

    /// Whether showing the picture upright swaps width and height.
    public var swapsDimensions: Bool { rawValue >= 5 }
}

extension RGBImage {
    /// The image turned upright according to `orientation`.
    public func oriented(_ orientation: Orientation) -> RGBImage {
        if orientation == .up { return self }
        let w = width, h = height
        let (ow, oh) = orientation.swapsDimensions ? (h, w) : (w, h)
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        // Source pixel for output (ox, oy).
                        let (ix, iy): (Int, Int)
                        switch orientation {
                        case .up: (ix, iy) = (ox, oy)
                        case .upMirrored: (ix, iy) = (w - 1 - ox, oy)
                        case .down: (ix, iy) = (w - 1 - ox, h - 1 - oy)
                        case .downMirrored: (ix, iy) = (ox, h - 1 - oy)
                        case .leftMirrored: (ix, iy) = (oy, ox)
                        case .right: (ix, iy) = (oy, h - 1 - ox)
                        case .rightMirrored: (ix, iy) = (w - 1 - oy, h - 1 - ox)
                        case .left: (ix, iy) = (w - 1 - oy, ox)
                        }
                        let s = (iy * w + ix) * 3, d = (oy * ow + ox) * 3
                        dst[d] = src[s]
                        dst[d + 1] = src[s + 1]
                        dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return RGBImage(width: ow, height: oh, pixels: out)
    }
}
