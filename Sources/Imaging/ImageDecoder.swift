import CJPEG
import Foundation

/// Bounds that protect herd from hostile or absurd files.
public struct DecodeLimits: Sendable, Equatable {
    /// Largest image (width × height, as declared in its header) herd will decode.
    public var maxPixels: Int
    /// Largest file herd will read into memory.
    public var maxFileBytes: Int
    /// Working memory libjpeg may use for one decode (progressive files buffer coefficients).
    public var maxDecoderMemory: Int

    public init(maxPixels: Int = 100_000_000, maxFileBytes: Int = 512 << 20, maxDecoderMemory: Int = 1 << 30) {
        self.maxPixels = maxPixels
        self.maxFileBytes = maxFileBytes
        self.maxDecoderMemory = maxDecoderMemory
    }
}

/// What herd knows about an image file without (or after) decoding its pixels.
public struct ImageInfo: Sendable, Equatable, Codable {
    /// The format recognised from the file's content.
    public var format: ImageFormat
    /// Width as stored, before orientation.
    public var storedWidth: Int
    /// Height as stored, before orientation.
    public var storedHeight: Int
    /// EXIF orientation (upright when absent).
    public var orientation: Orientation
    /// Width of the upright picture.
    public var width: Int { orientation.swapsDimensions ? storedHeight : storedWidth }
    /// Height of the upright picture.
    public var height: Int { orientation.swapsDimensions ? storedWidth : storedHeight }
    /// Capture time, ISO 8601 local time, when the file records one.
    public var takenAt: String?
    /// Camera maker, when recorded.
    public var cameraMake: String?
    /// Camera model, when recorded.
    public var cameraModel: String?
    /// How the image is stored, e.g. "baseline YCbCr 8-bit".
    public var encoding: String
    /// Problems that did not stop decoding (bad EXIF, recoverable data errors).
    public var warnings: [String]
}

/// Decoded pixels, turned upright, with what is known about the file.
public struct DecodedImage: Sendable {
    /// Header facts and metadata.
    public var info: ImageInfo
    /// Upright pixels, possibly at a reduced size (see `scaleDenominator`).
    public var image: RGBImage
    /// The reduced scale the image was decoded at: 1, 2, 4 or 8 (JPEG's DCT scaling, WebP's scaler;
    /// always 1 for PNG, HEIF and AVIF).
    public var scaleDenominator: Int
}

/// Turns JPEG, PNG, HEIF/HEIC, AVIF and WebP files into upright RGB pixels, safely: every failure is
/// an `ImagingError`.
public struct ImageDecoder: Sendable {
    /// The limits applied to every file.
    public var limits: DecodeLimits

    public init(limits: DecodeLimits = DecodeLimits()) {
        self.limits = limits
    }

    /// Reads a regular file, refusing ones over `limits.maxFileBytes`.
    public func readFile(_ path: String) throws -> Data {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw ImagingError(.unreadable, path: path, "cannot read: \(Self.reason(error))")
        }
        guard (attributes[.type] as? FileAttributeType) == .typeRegular else {
            throw ImagingError(.unreadable, path: path, "not a regular file")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= limits.maxFileBytes else {
            throw ImagingError(.tooLarge, path: path,
                               "file is \(size >> 20) MiB, over the \(limits.maxFileBytes >> 20) MiB limit for one image")
        }
        // An empty file needs no read (and Foundation leaks a page reading one).
        if size == 0 { return Data() }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw ImagingError(.unreadable, path: path, "cannot read: \(Self.reason(error))")
        }
    }

    /// Header facts and metadata of the file at `path`, without decoding pixels.
    public func inspect(fileAt path: String) throws -> ImageInfo {
        try inspect(data: readFile(path), path: path)
    }

    /// Header facts and metadata of `data`, without decoding pixels.
    public func inspect(data: Data, path: String) throws -> ImageInfo {
        let format = try format(of: data, path: path)
        switch format {
        case .jpeg:
            return try jpegInfo(JPEGHandle(data: data, path: path, maxMemory: limits.maxDecoderMemory), path: path)
        case .png:
            let (w, h, warning) = try PNGDecoder.size(data: data, path: path)
            return ImageInfo(format: .png, storedWidth: w, storedHeight: h, orientation: .up, encoding: "PNG",
                             warnings: warning.map { [$0] } ?? [])
        case .heif, .avif:
            return heifInfo(try HEIFHandle(data: data, path: path), format: format)
        case .webp:
            return webpInfo(try WebPDecoder.header(data: data, path: path), data: data)
        }
    }

    /// Decodes the file at `path`; see `decode(data:path:minimumShortSide:)`.
    public func decode(fileAt path: String, minimumShortSide: Int? = nil) throws -> DecodedImage {
        try decode(data: readFile(path), path: path, minimumShortSide: minimumShortSide)
    }

    /// Decodes `data` to upright RGB. With `minimumShortSide`, a JPEG is decoded at the smallest DCT
    /// scale (1/8, 1/4, 1/2) whose shorter side is still at least that many pixels, and a still WebP
    /// at the same scales through libwebp's scaler. HEIF and AVIF are decoded at full size (their
    /// codecs cannot decode smaller), once.
    public func decode(data: Data, path: String, minimumShortSide: Int? = nil) throws -> DecodedImage {
        let format = try format(of: data, path: path)
        switch format {
        case .jpeg:
            let jpeg = try JPEGHandle(data: data, path: path, maxMemory: limits.maxDecoderMemory)
            var info = try jpegInfo(jpeg, path: path)
            try checkBudget(width: info.storedWidth, height: info.storedHeight, path: path)
            var denominator = 1
            if let minimumShortSide {
                for d in [8, 4, 2] {
                    let (w, h) = try jpeg.scaledSize(denominator: d)
                    if min(w, h) >= minimumShortSide {
                        denominator = d
                        break
                    }
                }
            }
            let (pixels, warning) = try jpeg.decode(denominator: denominator)
            if let warning { info.warnings.append("recoverable JPEG data error: \(warning)") }
            return DecodedImage(info: info, image: pixels.oriented(info.orientation), scaleDenominator: denominator)
        case .png:
            let (pixels, warning) = try PNGDecoder.decode(data: data, path: path, maxPixels: limits.maxPixels)
            let info = ImageInfo(format: .png, storedWidth: pixels.width, storedHeight: pixels.height,
                                 orientation: .up, encoding: "PNG", warnings: warning.map { [$0] } ?? [])
            return DecodedImage(info: info, image: pixels, scaleDenominator: 1)
        case .heif, .avif:
            return try decodeHEIF(data: data, path: path, format: format)
        case .webp:
            return try decodeWebP(data: data, path: path, minimumShortSide: minimumShortSide)
        }
    }

    func format(of data: Data, path: String) throws -> ImageFormat {
        switch ImageFormat.sniff(data.prefix(ImageFormat.sniffLength)) {
        case .supported(let format): return format
        case .damaged(_, let what): throw ImagingError(.corrupt, path: path, what)
        case .unsupported(let what): throw ImagingError(.unsupportedFormat, path: path, "unsupported format: \(what)")
        case .unknown(let what): throw ImagingError(.unsupportedFormat, path: path, "unsupported format: not a JPEG, PNG, HEIF, AVIF or WebP (\(what))")
        case .empty: throw ImagingError(.truncated, path: path, "empty file")
        }
    }

    func checkBudget(width: Int, height: Int, path: String) throws {
        guard width.multipliedReportingOverflow(by: height).partialValue <= limits.maxPixels,
              width <= limits.maxPixels, height <= limits.maxPixels else {
            throw ImagingError(.tooLarge, path: path,
                               "image is \(width)×\(height) = \(width * height / 1_000_000) MP, over the \(limits.maxPixels / 1_000_000) MP limit (raise max_pixels to decode it)")
        }
    }

    private func jpegInfo(_ jpeg: JPEGHandle, path: String) throws -> ImageInfo {
        let h = jpeg.header
        var exif = ExifData()
        if let block = jpeg.exif { exif = ExifReader.parse(block) }
        let model: String
        switch Int32(h.color_space) {
        case Int32(HERD_JPEG_GRAY): model = "greyscale"
        case Int32(HERD_JPEG_RGB): model = "RGB"
        case Int32(HERD_JPEG_YCBCR): model = "YCbCr"
        case Int32(HERD_JPEG_CMYK): model = h.adobe_inverted != 0 ? "CMYK (Adobe, inverted)" : "CMYK"
        case Int32(HERD_JPEG_YCCK): model = "YCCK (Adobe)"
        default: model = "\(h.components)-component"
        }
        var coding = h.progressive != 0 ? "progressive" : "baseline"
        if h.arithmetic != 0 { coding += " arithmetic-coded" }
        return ImageInfo(format: .jpeg, storedWidth: Int(h.width), storedHeight: Int(h.height),
                         orientation: exif.orientation ?? .up, takenAt: exif.takenAt, cameraMake: exif.cameraMake,
                         cameraModel: exif.cameraModel, encoding: "\(coding) \(model) \(h.precision)-bit",
                         warnings: exif.warnings)
    }

    /// Why a Foundation file call failed, in a few words: the underlying POSIX reason when there is one
    /// ("Permission denied"), a short phrase for the common Cocoa file errors, else the description.
    public static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileReadNoSuchFileError, NSFileNoSuchFileError: return "no such file"
            case NSFileReadNoPermissionError: return "permission denied"
            default: break
            }
        }
        return ns.localizedDescription
    }
}
