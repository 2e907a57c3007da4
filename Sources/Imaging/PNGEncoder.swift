import CPNG
import Foundation

/// PNG encoding through libpng's simplified `png_image` API (test fixtures and format-change copies).
public enum PNGEncoder {
    /// Encodes an RGB image as an 8-bit RGB PNG.
    public static func encode(_ image: RGBImage) throws -> Data {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = UInt32(PNG_FORMAT_RGB)
        defer { png_image_free(&png) }
        var size = 0
        // First call: the size needed; second: the bytes.
        let sized = image.pixels.withUnsafeBytes { raw in
            png_image_write_to_memory(&png, nil, &size, 0, raw.baseAddress, Int32(image.width * 3), nil)
        }
        guard sized != 0, size > 0 else { throw failure(&png) }
        var out = [UInt8](repeating: 0, count: size)
        let ok = out.withUnsafeMutableBytes { buffer in
            image.pixels.withUnsafeBytes { raw in
                png_image_write_to_memory(&png, buffer.baseAddress, &size, 0, raw.baseAddress, Int32(image.width * 3), nil)
            }
        }
        guard ok != 0 else { throw failure(&png) }
        return Data(out.prefix(size))
    }

    private static func failure(_ png: inout png_image) -> ImagingError {
        let message = withUnsafeBytes(of: &png.message) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
        return ImagingError(.corrupt, path: "(encoder)", "PNG encoding failed: \(message)")
    }
}
