import CWebP
import Foundation

/// WebP decoding through libwebp: still images (lossy, lossless, with alpha) with optional reduced-size
/// decoding, and the first frame of an animation through the demux API.
enum WebPDecoder {
    /// What the bitstream's headers say.
    struct Header {
        /// Width of the picture (the canvas of an animation).
        var width: Int
        /// Height of the picture (the canvas of an animation).
        var height: Int
        /// Whether there is an alpha channel.
        var hasAlpha: Bool
        /// Whether the file is an animation.
        var animated: Bool
        /// "lossy", "lossless" or "mixed".
        var compression: String
    }

    /// Reads the headers only (`WebPGetFeatures`); nothing is allocated for pixels.
    static func header(data: Data, path: String) throws -> Header {
        var features = WebPBitstreamFeatures()
        let status = data.withUnsafeBytes { raw in
            WebPGetFeatures(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &features)
        }
        guard status == VP8_STATUS_OK else { throw failure(status, path: path) }
        guard features.width > 0, features.height > 0 else {
            throw ImagingError(.corrupt, path: path, "corrupt WebP: zero width or height")
        }
        let compression = features.format == 1 ? "lossy" : features.format == 2 ? "lossless" : "mixed"
        return Header(width: Int(features.width), height: Int(features.height), hasAlpha: features.has_alpha != 0,
                      animated: features.has_animation != 0, compression: compression)
    }

    /// The payload of the file's EXIF chunk, when there is one (through the demuxer, which checks the
    /// RIFF structure first).
    static func exif(data: Data) -> [UInt8]? {
        data.withUnsafeBytes { raw -> [UInt8]? in
            var webp = WebPData(bytes: raw.bindMemory(to: UInt8.self).baseAddress, size: raw.count)
            guard let demuxer = WebPDemux(&webp) else { return nil }
            defer { WebPDemuxDelete(demuxer) }
            var chunk = WebPChunkIterator()
            guard WebPDemuxGetChunk(demuxer, "EXIF", 1, &chunk) != 0 else { return nil }
            defer { WebPDemuxReleaseChunkIterator(&chunk) }
            guard let bytes = chunk.chunk.bytes, chunk.chunk.size > 0 else { return nil }
            return Array(UnsafeBufferPointer(start: bytes, count: chunk.chunk.size))
        }
    }

    /// Decodes to 8-bit RGB, alpha composited on `background`. A still image is decoded at
    /// 1/`denominator` of its size (libwebp scales while decoding, so no full-size buffer exists);
    /// an animation gives its first frame, at full size. The caller has checked the header's size.
    static func decode(data: Data, path: String, header: Header, denominator: Int,
                       background: (UInt8, UInt8, UInt8)) throws -> RGBImage {
        if header.animated { return try firstFrame(data: data, path: path, header: header, background: background) }
        var config = WebPDecoderConfig()
        guard WebPInitDecoderConfig(&config) != 0 else {
            throw ImagingError(.unreadable, path: path, "libwebp version mismatch")
        }
        var (w, h) = (header.width, header.height)
        if denominator > 1 {
            (w, h) = (scaled(w, denominator), scaled(h, denominator))
            config.options.use_scaling = 1
            config.options.scaled_width = Int32(w)
            config.options.scaled_height = Int32(h)
        }
        let channels = header.hasAlpha ? 4 : 3
        // One buffer: RGBA is decoded into it and composited in place down to RGB.
        var pixels = [UInt8](repeating: 0, count: w * h * channels)
        let status = pixels.withUnsafeMutableBufferPointer { out in
            config.output.colorspace = header.hasAlpha ? MODE_RGBA : MODE_RGB
            config.output.is_external_memory = 1
            config.output.u.RGBA.rgba = out.baseAddress
            config.output.u.RGBA.stride = Int32(w * channels)
            config.output.u.RGBA.size = out.count
            return data.withUnsafeBytes { raw in
                WebPDecode(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &config)
            }
        }
        WebPFreeDecBuffer(&config.output)
        guard status == VP8_STATUS_OK else { throw failure(status, path: path) }
        if header.hasAlpha {
            pixels.withUnsafeMutableBufferPointer { p in
                if let base = p.baseAddress { Alpha.flatten(base, into: base, count: w * h, background: background) }
            }
            pixels.removeLast(w * h)
        }
        return RGBImage(width: w, height: h, pixels: pixels)
    }

    /// The side libwebp's scaler is asked for at 1/`denominator` (rounded up, as libjpeg does).
    static func scaled(_ side: Int, _ denominator: Int) -> Int { (side + denominator - 1) / denominator }

    /// The first frame of an animation, as shown: the full canvas after that frame is drawn.
    private static func firstFrame(data: Data, path: String, header: Header,
                                   background: (UInt8, UInt8, UInt8)) throws -> RGBImage {
        try data.withUnsafeBytes { raw in
            var webp = WebPData(bytes: raw.bindMemory(to: UInt8.self).baseAddress, size: raw.count)
            var options = WebPAnimDecoderOptions()
            guard WebPAnimDecoderOptionsInit(&options) != 0 else {
                throw ImagingError(.unreadable, path: path, "libwebp version mismatch")
            }
            options.color_mode = MODE_RGBA
            options.use_threads = 0
            guard let decoder = WebPAnimDecoderNew(&webp, &options) else {
                throw ImagingError(.corrupt, path: path, "corrupt animated WebP: libwebp could not parse the animation")
            }
            defer { WebPAnimDecoderDelete(decoder) }
            var info = WebPAnimInfo()
            guard WebPAnimDecoderGetInfo(decoder, &info) != 0,
                  Int(info.canvas_width) == header.width, Int(info.canvas_height) == header.height else {
                throw ImagingError(.corrupt, path: path, "corrupt animated WebP: canvas size disagrees with the header")
            }
            var frame: UnsafeMutablePointer<UInt8>?
            var timestamp: Int32 = 0
            guard WebPAnimDecoderGetNext(decoder, &frame, &timestamp) != 0, let frame else {
                throw ImagingError(.corrupt, path: path, "corrupt animated WebP: its first frame does not decode")
            }
            let n = header.width * header.height
            var pixels = [UInt8](repeating: 0, count: n * 3)
            pixels.withUnsafeMutableBufferPointer { p in
                if let base = p.baseAddress { Alpha.flatten(frame, into: base, count: n, background: background) }
            }
            return RGBImage(width: header.width, height: header.height, pixels: pixels)
        }
    }

    /// Maps libwebp's status code to a kind.
    private static func failure(_ status: VP8StatusCode, path: String) -> ImagingError {
        switch status {
        case VP8_STATUS_NOT_ENOUGH_DATA:
            ImagingError(.truncated, path: path, "truncated WebP: the file ends before the image does")
        case VP8_STATUS_UNSUPPORTED_FEATURE:
            ImagingError(.unsupportedFeature, path: path, "unsupported WebP feature (convert it to JPEG to include it)")
        case VP8_STATUS_OUT_OF_MEMORY:
            ImagingError(.tooLarge, path: path, "WebP needs more memory than libwebp could allocate")
        default:
            ImagingError(.corrupt, path: path, "corrupt WebP: libwebp reports a bitstream error (status \(status.rawValue))")
        }
    }
}
