/// A grid of thumbnails that shows at a glance what a group of photos has in common.
public struct ContactSheet: Sendable {
    /// Thumbnails per row.
    public var columns: Int
    /// Side of the square cell each thumbnail is fitted into.
    public var cell: Int
    /// Gap between cells and around the grid, in pixels.
    public var gap: Int
    /// Background colour.
    public var background: (UInt8, UInt8, UInt8)

    public init(columns: Int = 4, cell: Int = 192, gap: Int = 4, background: (UInt8, UInt8, UInt8) = (32, 32, 32)) {
        precondition(columns > 0 && cell > 0 && gap >= 0, "contact sheet layout")
        self.columns = columns
        self.cell = cell
        self.gap = gap
        self.background = background
    }

    /// The sheet for `images`, in order, left to right and top to bottom; each keeps its aspect
    /// ratio, fitted and centred in its cell. An empty list gives one empty cell.
    public func render(_ images: [RGBImage]) -> RGBImage {
        let count = max(images.count, 1)
        let cols = min(columns, count), rows = (count + cols - 1) / cols
        let width = cols * cell + (cols + 1) * gap, height = rows * cell + (rows + 1) * gap
        var sheet = RGBImage(width: width, height: height, fill: background)
        for (i, image) in images.enumerated() where image.width > 0 && image.height > 0 {
            let scale = min(Double(cell) / Double(image.width), Double(cell) / Double(image.height))
            let w = max(1, Int((Double(image.width) * scale).rounded()))
            let h = max(1, Int((Double(image.height) * scale).rounded()))
            let thumb = Resampler.resize(image, width: w, height: h)
            let x0 = gap + (i % cols) * (cell + gap) + (cell - w) / 2
            let y0 = gap + (i / cols) * (cell + gap) + (cell - h) / 2
            for y in 0..<h {
                let src = y * w * 3, dst = ((y0 + y) * width + x0) * 3
                sheet.pixels.replaceSubrange(dst ..< dst + w * 3, with: thumb.pixels[src ..< src + w * 3])
            }
        }
        return sheet
    }
}
