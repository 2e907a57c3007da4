import CAvif
import Foundation

/// AVIF pixels through libavif: the AV1 image as decoded, turned into 8-bit RGB by libavif's own
/// conversion (libyuv, bilinear chroma upsampling), which is what Pillow's AVIF plugin does, so the
/// encoder's input matches the reference to the bit. libheif 1.15 repeats chroma samples instead, and
/// can hand out only its own RGB. The container's `irot`/`imir` are applied to the RGB pixels after
/// conversion, as libheif orients its output.
///
/// libheif stays the authority on the file: it has read the header, checked the pixel budget and the
/// EXIF block before this runs, and every file that libavif does not take the common way (libavif
/// cannot read it, a clean aperture `clap` whose rounding libheif defines, a size that disagrees with
/// libheif's) is decoded by libheif as before.
enum AVIFDecoder {
    /// The primary image as upright 8-bit RGB, alpha composited on `background`; nil when libheif should
    /// decode the file instead (see the type's comment). `width` × `height` is libheif's size after
    /// transforms; `maxPixels` bounds what libavif and its AV1 decoder may allocate.
    static func decode(data: Data, width: Int, height: Int, maxPixels: Int,
                       background: (UInt8, UInt8, UInt8)) -> RGBImage? {
        guard let decoder = avifDecoderCreate() else { return nil }
        defer { avifDecoderDestroy(decoder) }
        decoder.pointee.maxThreads = 1
        decoder.pointee.ignoreExif = 1
        decoder.pointee.ignoreXMP = 1
        decoder.pointee.imageSizeLimit = UInt32(clamping: min(maxPixels, 16384 * 16384))
        // libheif has already accepted the file; libavif's strictness (a missing `pixi`, say) would only
        // send it back there.
        decoder.pointee.strictFlags = 0
        return data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> RGBImage? in
            guard let base = bytes.bindMemory(to: UInt8.self).baseAddress,
                  avifDecoderSetIOMemory(decoder, base, bytes.count) == AVIF_RESULT_OK,
                  avifDecoderSetSource(decoder, AVIF_DECODER_SOURCE_PRIMARY_ITEM) == AVIF_RESULT_OK,
                  avifDecoderParse(decoder) == AVIF_RESULT_OK,
                  let image = decoder.pointee.image else { return nil }
            let flags = image.pointee.transformFlags
            guard flags & UInt32(AVIF_TRANSFORM_CLAP.rawValue) == 0 else { return nil }
            let orientation = self.orientation(
                rotation: flags & UInt32(AVIF_TRANSFORM_IROT.rawValue) != 0 ? Int(image.pointee.irot.angle) : 0,
                mirror: flags & UInt32(AVIF_TRANSFORM_IMIR.rawValue) != 0 ? Int(image.pointee.imir.mode) : nil)
            guard avifDecoderNextImage(decoder) == AVIF_RESULT_OK else { return nil }
            let w = Int(image.pointee.width), h = Int(image.pointee.height)
            let (uw, uh) = orientation.swapsDimensions ? (h, w) : (w, h)
            guard w > 0, h > 0, w * h <= maxPixels, uw == width, uh == height else { return nil }
            let alpha = decoder.pointee.alphaPresent != 0 && image.pointee.alphaPlane != nil
            guard let pixels = rgb(image, width: w, height: h, alpha: alpha, background: background) else { return nil }
            return RGBImage(width: w, height: h, pixels: pixels).oriented(orientation)
        }
    }

    /// `image` converted by libavif with its defaults (as Pillow calls it): RGB, or RGBA composited.
    private static func rgb(_ image: UnsafeMutablePointer<avifImage>, width w: Int, height h: Int, alpha: Bool,
                            background: (UInt8, UInt8, UInt8)) -> [UInt8]? {
        var rgb = avifRGBImage()
        avifRGBImageSetDefaults(&rgb, image)
        rgb.depth = 8
        rgb.format = alpha ? AVIF_RGB_FORMAT_RGBA : AVIF_RGB_FORMAT_RGB
        let channels = alpha ? 4 : 3
        var converted = true
        // RGBA is written in place and composited down to RGB behind itself.
        var pixels = [UInt8](unsafeUninitializedCapacity: w * h * channels) { out, initialised in
            guard let base = out.baseAddress else { return }
            rgb.pixels = base
            rgb.rowBytes = UInt32(w * channels)
            converted = avifImageYUVToRGB(image, &rgb) == AVIF_RESULT_OK
            if converted && alpha {
                for y in 0..<h {
                    Alpha.flatten(base + y * w * 4, into: base + y * w * 3, count: w, background: background)
                }
            }
            initialised = converted ? w * h * channels : 0
        }
        guard converted else { return nil }
        if alpha { pixels.removeLast(w * h) }
        return pixels
    }

    /// The EXIF orientation that shows the stored picture as the container's transforms do: rotation by
    /// `rotation` × 90° anticlockwise (`irot`), then `mirror` (`imir` mode 0: top and bottom exchanged,
    /// 1: left and right), the order ISO/IEC 23008-12 and MIAF prescribe and libheif follows.
    static func orientation(rotation: Int, mirror: Int?) -> Orientation {
        switch (rotation & 3, mirror) {
        case (0, nil): return .up
        case (1, nil): return .left
        case (2, nil): return .down
        case (3, nil): return .right
        case (0, 1?), (2, 0?): return .upMirrored
        case (0, _?), (2, _?): return .downMirrored
        case (1, 1?), (3, 0?): return .rightMirrored
        default: return .leftMirrored  // (1, 0) and (3, 1)
        }
    }
}
