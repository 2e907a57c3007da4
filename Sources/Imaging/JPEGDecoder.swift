import CJPEG
import Foundation

/// An open libjpeg decoder over a copy of one file's bytes; frees it when released.
/// The C side owns libjpeg's error manager, so corrupt data comes back as an error code.
final class JPEGHandle {
    private let handle: OpaquePointer
    /// What the frame header says.
    let header: herd_jpeg_header
    /// The TIFF payload of the file's APP1 Exif segment, when there is one.
    let exif: [UInt8]?
    private let path: String

    init(data: Data, path: String, maxMemory: Int) throws {
        var handlePointer: OpaquePointer?
        var header = herd_jpeg_header()
        var message = [CChar](repeating: 0, count: 256)
        let code = data.withUnsafeBytes { raw -> Int32 in
            herd_jpeg_open(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, maxMemory,
                           &handlePointer, &header, &message, message.count)
        }
        guard code == HERD_JPEG_OK, let handlePointer else {
            throw JPEGHandle.error(code: code, message: cText(message), path: path)
        }
        self.handle = handlePointer
        self.header = header
        self.path = path
        if let exif = header.exif, header.exif_length > 0 {
            self.exif = Array(UnsafeBufferPointer(start: exif, count: header.exif_length))
        } else {
            self.exif = nil
        }
    }

    deinit { herd_jpeg_close(handle) }

    /// Output size when decoding at 1/`denominator`.
    func scaledSize(denominator: Int) throws -> (width: Int, height: Int) {
        var w: Int32 = 0, h: Int32 = 0
        let code = herd_jpeg_scaled_size(handle, Int32(denominator), &w, &h)
        guard code == HERD_JPEG_OK else { throw JPEGHandle.error(code: code, message: "cannot scale", path: path) }
        return (Int(w), Int(h))
    }

    /// Decodes at 1/`denominator` to RGB; returns the image and libjpeg's first warning, if any.
    func decode(denominator: Int) throws -> (RGBImage, warning: String?) {
        let (w, h) = try scaledSize(denominator: denominator)
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        var warnings: Int32 = 0
        var warning = [CChar](repeating: 0, count: 256)
        var message = [CChar](repeating: 0, count: 256)
        let code = pixels.withUnsafeMutableBufferPointer { buffer in
            herd_jpeg_decode_rgb(handle, Int32(denominator), buffer.baseAddress, buffer.count,
                                 &warnings, &warning, warning.count, &message, message.count)
        }
        guard code == HERD_JPEG_OK else {
            throw JPEGHandle.error(code: code, message: cText(message), path: path)
        }
        let first = cText(warning)
        let note = warnings == 0 ? nil : warnings == 1 ? first : "\(first) (and \(warnings - 1) more)"
        return (RGBImage(width: w, height: h, pixels: pixels), note)
    }

    static func error(code: Int32, message: String, path: String) -> ImagingError {
        switch code {
        case Int32(HERD_JPEG_UNSUPPORTED): ImagingError(.unsupportedFeature, path: path, message)
        case Int32(HERD_JPEG_TRUNCATED): ImagingError(.truncated, path: path, message)
        case Int32(HERD_JPEG_LIMIT): ImagingError(.tooLarge, path: path, message)
        default: ImagingError(.corrupt, path: path, "corrupt JPEG: \(message)")
        }
    }
}

/// JPEG encoding through libjpeg (contact sheets; test fixtures made with the same library).
public enum JPEGEncoder {
    /// Colour models the encoder accepts.
    public enum Model: Int32, Sendable {
        case gray = 1, rgb = 2, cmyk = 4, ycck = 5

        var bytesPerPixel: Int {
            switch self {
            case .gray: 1
            case .rgb: 3
            case .cmyk, .ycck: 4
            }
        }
    }

    /// Encodes an RGB image as a baseline JPEG.
    public static func encode(_ image: RGBImage, quality: Int = 90) throws -> Data {
        try encode(pixels: image.pixels, width: image.width, height: image.height, model: .rgb, quality: quality)
    }

    /// Encodes raw pixels of `model`, optionally progressive, arithmetic-coded, or with restart markers.
    public static func encode(pixels: [UInt8], width: Int, height: Int, model: Model, quality: Int = 90,
                              progressive: Bool = false, arithmetic: Bool = false, restartRows: Int = 0) throws -> Data {
        precondition(pixels.count == width * height * model.bytesPerPixel, "pixel count does not match \(width)×\(height)")
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: 256)
        let code = pixels.withUnsafeBufferPointer { buffer in
            herd_jpeg_encode(buffer.baseAddress, Int32(width), Int32(height), model.rawValue, Int32(quality),
                             progressive ? 1 : 0, arithmetic ? 1 : 0, Int32(restartRows),
                             &out, &length, &message, message.count)
        }
        defer { herd_jpeg_free(out) }
        guard code == HERD_JPEG_OK, let out else {
            throw ImagingError(.corrupt, path: "(encoder)", "JPEG encoding failed: \(cText(message))")
        }
        return Data(bytes: out, count: length)
    }
}

/// The text of a NUL-terminated C buffer filled by the shim.
func cText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
