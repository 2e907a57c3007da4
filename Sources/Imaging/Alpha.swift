/// Compositing of transparent pixels on a solid background, as the PNG path does (mid-grey).
enum Alpha {
    /// One 8-bit channel `c` with alpha `a` (0–255) over `background`, rounded:
    /// `c·a/255 + bg·(255 − a)/255`, or `c + bg·(255 − a)/255` when `c` is premultiplied.
    @inline(__always)
    static func composite(_ c: UInt8, _ a: Int, _ background: UInt8, premultiplied: Bool) -> UInt8 {
        let colour = premultiplied ? Int(c) * 255 : Int(c) * a
        return UInt8(min(255, (colour + Int(background) * (255 - a) + 127) / 255))
    }
}

extension Alpha {
    /// `count` RGBA pixels at `rgba` composited on `background` into RGB at `rgb`. The two may be the
    /// same memory (RGB is written behind the RGBA it came from).
    static func flatten(_ rgba: UnsafePointer<UInt8>, into rgb: UnsafeMutablePointer<UInt8>, count: Int,
                        background: (UInt8, UInt8, UInt8), premultiplied: Bool = false) {
        for i in 0..<count {
            let a = Int(rgba[4 * i + 3])
            let (r, g, b) = (rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2])
            rgb[3 * i] = composite(r, a, background.0, premultiplied: premultiplied)
            rgb[3 * i + 1] = composite(g, a, background.1, premultiplied: premultiplied)
            rgb[3 * i + 2] = composite(b, a, background.2, premultiplied: premultiplied)
        }
    }
}
