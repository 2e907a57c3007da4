import Catalog
import Foundation

/// The decoder's plug: reads an image's header metadata, or throws why the file is not a usable photo.
/// Called on an ingest worker thread.
public struct ImageInspector: Sendable {
    /// Metadata of the image at a path.
    public var inspect: @Sendable (String) throws -> ImageMetadata

    /// An inspector from a closure.
    public init(inspect: @escaping @Sendable (String) throws -> ImageMetadata) {
        self.inspect = inspect
    }

    /// A stand-in until Imaging is plugged in: format and size from the JPEG SOF or PNG IHDR header only
    /// (orientation 1, no capture time or camera). Fails on files that are not JPEG or PNG, or whose header is cut short.
    public static let headerOnly = ImageInspector { path in try HeaderReader.metadata(ofFileAt: path) }
}

/// Why a file's header could not be read.
public struct HeaderError: Error, CustomStringConvertible, Sendable {
    /// What is wrong with the file.
    public var description: String
}

/// Reads format and dimensions from the first bytes of a JPEG or PNG file.
enum HeaderReader {
    /// How far into a JPEG to look for the frame header (EXIF blocks with thumbnails come first).
    static let jpegSearchLimit = 1 << 20

    static func metadata(ofFileAt path: String) throws -> ImageMetadata {
        let bytes = try ImageSniffing.readHeader(path, count: jpegSearchLimit)
        if bytes.isEmpty { throw HeaderError(description: "empty file") }
        switch ImageSniffing.format(ofHeader: Array(bytes.prefix(8))) {
        case "png": return try png(bytes)
        case "jpeg": return try jpeg(bytes)
        default:
            let start = bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw HeaderError(description: "not a JPEG or PNG file (starts with \(start))")
        }
    }

    static func png(_ b: [UInt8]) throws -> ImageMetadata {
        guard b.count >= 24, b[12 ..< 16].elementsEqual(Array("IHDR".utf8)) else {
            throw HeaderError(description: "PNG file cut short before its IHDR header")
        }
        let width = Int(b[16]) << 24 | Int(b[17]) << 16 | Int(b[18]) << 8 | Int(b[19])
        let height = Int(b[20]) << 24 | Int(b[21]) << 16 | Int(b[22]) << 8 | Int(b[23])
        guard width > 0, height > 0 else { throw HeaderError(description: "PNG header gives invalid size \(width)×\(height)") }
        return ImageMetadata(format: "png", width: width, height: height)
    }

    static func jpeg(_ b: [UInt8]) throws -> ImageMetadata {
        var i = 2
        while i + 4 <= b.count {
            guard b[i] == 0xFF else { throw HeaderError(description: "JPEG marker expected at byte \(i); the file is corrupt") }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }
            if marker == 0xD8 || marker == 0x01 || (0xD0 ... 0xD7).contains(marker) { i += 2; continue }
            if marker == 0xD9 || marker == 0xDA { break }
            let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            let isFrame = (0xC0 ... 0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker)
            if isFrame {
                guard i + 9 <= b.count else { break }
                let height = Int(b[i + 5]) << 8 | Int(b[i + 6])
                let width = Int(b[i + 7]) << 8 | Int(b[i + 8])
                guard width > 0, height > 0 else { throw HeaderError(description: "JPEG frame header gives invalid size \(width)×\(height)") }
                return ImageMetadata(format: "jpeg", width: width, height: height)
            }
            guard length >= 2 else { throw HeaderError(description: "JPEG segment with invalid length at byte \(i)") }
            i += 2 + length
        }
        throw HeaderError(description: "no JPEG frame header (SOF) found; the file is truncated or corrupt")
    }
}
