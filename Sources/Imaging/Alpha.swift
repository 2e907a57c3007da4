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
