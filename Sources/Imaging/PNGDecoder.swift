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
        let data = try PNGChunks.essential(data, path: path)
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
        let data = try PNGChunks.essential(data, path: path)
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

/// The PNG chunk stream cut down to what decoding needs, before libpng sees it. libpng's simplified API offers no
/// user limits, and it allocates what a text, palette-suggestion or calibration chunk declares before finding that
/// the file is shorter: 57-byte files (libpng's own `huge_*_chunk.png` crashers) cost a gigabyte each. So every
/// chunk's declared length is checked against the bytes that remain, and chunks herd never uses (text, time, sPLT,
/// sCAL, pCAL, eXIf, APNG frames, private chunks; and any kept ancillary chunk over 8 MB) are left out. A single
/// image then needs no more memory than its file and its pixels.
enum PNGChunks {
    /// Chunks passed on: the critical ones and those that change the decoded colours.
    static let kept: Set<String> = ["IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "bKGD"]
    /// The largest ancillary chunk passed on (libpng's own default chunk limit).
    static let maxAncillaryBytes = 8_000_000
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static let iend: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]

    /// `data` with only the chunks decoding needs (the same bytes when nothing is left out); throws a `.corrupt`
    /// error naming the chunk when one before the image data declares more bytes than the file holds.
    static func essential(_ data: Data, path: String) throws -> Data {
        let bytes = [UInt8](data)
        guard bytes.count >= 8, Array(bytes[0 ..< 8]) == signature else { return data }
        var out: [UInt8]?
        var offset = 8
        var seenImageData = false
        while offset + 8 <= bytes.count {
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let type = String(decoding: bytes[(offset + 4) ..< (offset + 8)], as: UTF8.self)
            let end = offset + 12 + length
            let critical = type == "IDAT" || type == "IEND"
            if end > bytes.count && !critical {
                guard seenImageData else {
                    throw ImagingError(
                        .corrupt, path: path,
                        "corrupt PNG: the \(type) chunk declares \(length) bytes but the file ends \(bytes.count - offset - 8) bytes later")
                }
                // The pixels are all there; a damaged trailer is cut off and the stream closed.
                var cut = out ?? Array(bytes[0 ..< offset])
                cut += iend
                return Data(cut)
            }
            if end > bytes.count { break }  // truncated image data: libpng reports it
            seenImageData = seenImageData || type == "IDAT"
            let keep = kept.contains(type) && (critical || type == "IHDR" || type == "PLTE" || length <= maxAncillaryBytes)
            if !keep, out == nil { out = Array(bytes[0 ..< offset]) }
            if keep { out?.append(contentsOf: bytes[offset ..< end]) }
            offset = end
            if type == "IEND" { break }
        }
        guard var out else { return data }
        if offset < bytes.count { out.append(contentsOf: bytes[offset...]) }
        return Data(out)
    }
}
