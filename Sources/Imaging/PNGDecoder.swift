import CPNG
import Foundation

/// PNG decoding through libpng's simplified `png_image` API (no setjmp on our side).
enum PNGDecoder {
    /// Colour of the background that transparent pixels are composited on: neutral mid-grey.
    static let background: (UInt8, UInt8, UInt8) = (128, 128, 128)

    /// Reads the header only: stored width and height.
    static func size(data: Data, path: String) throws -> (width: Int, height: Int, warning: String?) {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let ok = data.withUnsafeBytes { raw in
            png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
        }
        guard ok != 0 else { throw failure(&image, path: path) }
        return (Int(image.width), Int(image.height), warning(&image))
    }

    /// Decodes to 8-bit RGB (16-bit and palette images converted, alpha composited on `background`).
    /// `maxPixels` is checked against the header before any pixel memory is allocated.
    static func decode(data: Data, path: String, maxPixels: Int) throws -> (RGBImage, warning: String?) {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        return try data.withUnsafeBytes { raw in
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                throw failure(&image, path: path)
            }
            let w = Int(image.width), h = Int(image.height)
            guard w > 0, h > 0 else { throw ImagingError(.corrupt, path: path, "corrupt PNG: zero width or height") }
            guard w.multipliedReportingOverflow(by: h).partialValue <= maxPixels, w <= maxPixels, h <= maxPixels else {
                throw ImagingError(.tooLarge, path: path,
                                   "PNG is \(w)×\(h) = \(w * h / 1_000_000) MP, over the \(maxPixels / 1_000_000) MP limit (raise max_pixels to decode it)")
            }
            image.format = UInt32(PNG_FORMAT_RGB)
            var pixels = [UInt8](repeating: 0, count: w * h * 3)
            var color = png_color(red: background.0, green: background.1, blue: background.2)
            let ok = pixels.withUnsafeMutableBytes { out in
                png_image_finish_read(&image, &color, out.baseAddress, Int32(w * 3), nil)
            }
            guard ok != 0 else { throw failure(&image, path: path) }
            return (RGBImage(width: w, height: h, pixels: pixels), warning(&image))
        }
    }

    private static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// libpng's simplified API reports failures as text only; it is passed on as it is.
    private static func failure(_ image: inout png_image, path: String) -> ImagingError {
        let text = message(&image)
        return ImagingError(.corrupt, path: path, "corrupt PNG: \(text.isEmpty ? "libpng gave no reason" : text)")
    }

    private static func warning(_ image: inout png_image) -> String? {
        guard image.warning_or_error & UInt32(PNG_IMAGE_WARNING) != 0 else { return nil }
        let text = message(&image)
        return text.isEmpty ? nil : text
    }
}
