import Foundation

/// HEIF/AVIF (libheif) and WebP (libwebp): header facts, budgets, decoding.
extension ImageDecoder {
    /// Header facts of a HEIF or AVIF file's primary image. Its size is the size after the file's
    /// transforms (`irot`, `imir`, `clap`), which libheif applies; the EXIF orientation tag describes
    /// the same turn for software that ignores those transforms, so it is never applied on top and the
    /// orientation is reported as upright.
    func heifInfo(_ heif: HEIFHandle, format: ImageFormat) -> ImageInfo {
        var exif = ExifData()
        if let block = heif.exifBlock() {
            if let tiff = ExifReader.tiffPayload(heifExifItem: block) {
                exif = ExifReader.parse(tiff)
            } else {
                exif.warnings = ["HEIF Exif item's TIFF offset points outside the item; ignored"]
            }
        }
        // The format is printed beside the encoding, so the encoding does not repeat it.
        let depth = heif.bitDepth.map { "\($0)-bit" } ?? "bit depth not recorded"
        var parts = [format == .avif ? "AV1 " + depth : depth]
        if heif.hasAlpha { parts.append("with alpha") }
        if heif.otherImages > 0 { parts.append("primary image of \(heif.otherImages + 1)") }
        let encoding = parts.joined(separator: ", ")
        return ImageInfo(format: format, storedWidth: heif.width, storedHeight: heif.height, orientation: .up,
                         takenAt: exif.takenAt, cameraMake: exif.cameraMake, cameraModel: exif.cameraModel,
                         encoding: encoding, warnings: exif.warnings)
    }

    /// Decodes a HEIF or AVIF file's primary image, after checking its declared size against the
    /// pixel budget (before libheif or libavif allocates anything for pixels). An AVIF's pixels come
    /// from libavif where it takes the file (`AVIFDecoder`), else from libheif.
    func decodeHEIF(data: Data, path: String, format: ImageFormat) throws -> DecodedImage {
        let heif = try HEIFHandle(data: data, path: path)
        var info = heifInfo(heif, format: format)
        try checkBudget(width: heif.width, height: heif.height, path: path)
        if format == .avif, let pixels = AVIFDecoder.decode(data: data, width: heif.width, height: heif.height,
                                                            maxPixels: limits.maxPixels, background: PNGDecoder.background) {
            return DecodedImage(info: info, image: pixels, scaleDenominator: 1)
        }
        let (pixels, warning) = try heif.decode(background: PNGDecoder.background, maxPixels: limits.maxPixels)
        if let warning { info.warnings.append("recoverable HEIF data error: \(warning)") }
        // libheif's output is the authority; a header that disagreed with it is noted, not trusted.
        if pixels.width != info.storedWidth || pixels.height != info.storedHeight {
            info.warnings.append("header says \(info.storedWidth)×\(info.storedHeight), decoded \(pixels.width)×\(pixels.height)")
            info.storedWidth = pixels.width
            info.storedHeight = pixels.height
        }
        return DecodedImage(info: info, image: pixels, scaleDenominator: 1)
    }

    /// The encoder's input for an opaque HEIF, resampled straight from libheif's decoded image (no
    /// full-size copy); nil for every other file, which `preprocessor` prepares from `decode` (an AVIF
    /// goes through libavif there, whose RGB is the reference's).
    func preparedInPlace(data: Data, path: String, by preprocessor: Preprocessor) throws -> PreprocessedImage? {
        guard try format(of: data, path: path) == .heif else { return nil }
        let heif = try HEIFHandle(data: data, path: path)
        guard !heif.hasAlpha else { return nil }
        try checkBudget(width: heif.width, height: heif.height, path: path)
        return try heif.withDecodedRGB(maxPixels: limits.maxPixels) { source, _ in preprocessor.prepare(source) }
    }

    /// Header facts of a WebP file, with orientation, capture time and camera from its EXIF chunk.
    func webpInfo(_ header: WebPDecoder.Header, data: Data) -> ImageInfo {
        var exif = ExifData()
        if let chunk = WebPDecoder.exif(data: data) {
            exif = ExifReader.parse(ExifReader.tiffPayload(exifChunk: chunk))
        }
        var encoding = header.compression
        if header.hasAlpha { encoding += ", with alpha" }
        if header.animated { encoding += ", animated (first frame)" }
        return ImageInfo(format: .webp, storedWidth: header.width, storedHeight: header.height,
                         orientation: exif.orientation ?? .up, takenAt: exif.takenAt, cameraMake: exif.cameraMake,
                         cameraModel: exif.cameraModel, encoding: encoding, warnings: exif.warnings)
    }

    /// Decodes a WebP file (the first frame of an animation), at the smallest of 1/8, 1/4, 1/2 whose
    /// shorter side is still `minimumShortSide`, then turns it upright by its EXIF orientation.
    func decodeWebP(data: Data, path: String, minimumShortSide: Int?) throws -> DecodedImage {
        let header = try WebPDecoder.header(data: data, path: path)
        let info = webpInfo(header, data: data)
        try checkBudget(width: header.width, height: header.height, path: path)
        var denominator = 1
        if let minimumShortSide, !header.animated {
            for d in [8, 4, 2] where min(WebPDecoder.scaled(header.width, d), WebPDecoder.scaled(header.height, d)) >= minimumShortSide {
                denominator = d
                break
            }
        }
        let pixels = try WebPDecoder.decode(data: data, path: path, header: header, denominator: denominator,
                                            background: PNGDecoder.background)
        return DecodedImage(info: info, image: pixels.oriented(info.orientation), scaleDenominator: denominator)
    }
}
