import Foundation

/// What herd reads from an EXIF block: orientation, capture time, camera.
public struct ExifData: Sendable, Equatable {
    /// EXIF orientation 1–8, or nil when absent or out of range.
    public var orientation: Orientation?
    /// DateTimeOriginal (or IFD0 DateTime) as ISO 8601 local time, "2021-07-04T15:30:00".
    public var takenAt: String?
    /// Camera maker (tag 0x010F), trimmed.
    public var cameraMake: String?
    /// Camera model (tag 0x0110), trimmed.
    public var cameraModel: String?
    /// Problems met while reading; the pixels are still decoded.
    public var warnings: [String] = []

    public init(orientation: Orientation? = nil, takenAt: String? = nil, cameraMake: String? = nil,
                cameraModel: String? = nil, warnings: [String] = []) {
        self.orientation = orientation
        self.takenAt = takenAt
        self.cameraMake = cameraMake
        self.cameraModel = cameraModel
        self.warnings = warnings
    }
}

/// A bounds-checked reader of the TIFF structure inside an EXIF block. Malformed data yields
/// warnings, never a crash: every offset is checked, loops are bounded, and cycles are refused.
public struct ExifReader {
    private let bytes: [UInt8]
    private var bigEndian = false
    private var warnings: [String] = []
    private var visited: Set<Int> = []

    /// Tags read by herd.
    private enum Tag {
        static let make: UInt16 = 0x010F
        static let model: UInt16 = 0x0110
        static let orientation: UInt16 = 0x0112
        static let dateTime: UInt16 = 0x0132
        static let exifIFD: UInt16 = 0x8769
        static let dateTimeOriginal: UInt16 = 0x9003
    }

    /// Most entries read from one IFD; real files have a few dozen.
    private static let maxEntries = 1000

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses the TIFF payload of an APP1 "Exif" segment (the bytes after "Exif\0\0").
    public static func parse(_ tiff: [UInt8]) -> ExifData {
        var reader = ExifReader(tiff)
        return reader.read()
    }

    private mutating func read() -> ExifData {
        var result = ExifData()
        guard bytes.count >= 8 else {
            result.warnings = ["EXIF block too short (\(bytes.count) bytes); ignored"]
            return result
        }
        switch (bytes[0], bytes[1]) {
        case (0x49, 0x49): bigEndian = false
        case (0x4D, 0x4D): bigEndian = true
        default:
            result.warnings = ["EXIF block has no TIFF byte-order mark; ignored"]
            return result
        }
        guard u16(2) == 42, let ifd0 = u32(4) else {
            result.warnings = ["EXIF block has a bad TIFF header; ignored"]
            return result
        }
        let entries0 = entries(at: Int(ifd0), name: "IFD0")
        if let o = entries0[Tag.orientation] {
            let value = shortValue(o)
            if let value, let orientation = Orientation(rawValue: Int(value)) {
                result.orientation = orientation
            } else if value != 0 {  // 0 is written by some software for "not set"
                warnings.append("EXIF orientation value is out of range; treated as upright")
            }
        }
        result.cameraMake = entries0[Tag.make].flatMap { asciiValue($0) }
        result.cameraModel = entries0[Tag.model].flatMap { asciiValue($0) }
        var stamp: String?
        if let pointer = entries0[Tag.exifIFD], let offset = longValue(pointer) {
            let sub = entries(at: Int(offset), name: "Exif IFD")
            stamp = sub[Tag.dateTimeOriginal].flatMap { asciiValue($0) }
        }
        if stamp == nil { stamp = entries0[Tag.dateTime].flatMap { asciiValue($0) } }
        if let stamp {
            if let iso = Self.isoDate(stamp) {
                result.takenAt = iso
            } else {
                warnings.append("EXIF date '\(stamp)' is not a valid date; ignored")
            }
        }
        result.warnings = warnings
        return result
    }

    /// One IFD entry: type, count, and the 4-byte value-or-offset field's position.
    private struct Entry {
        var type: UInt16
        var count: UInt32
        var fieldOffset: Int
    }

    private mutating func entries(at offset: Int, name: String) -> [UInt16: Entry] {
        guard offset >= 8, offset + 2 <= bytes.count else {
            warnings.append("EXIF \(name) offset \(offset) is outside the block; ignored")
            return [:]
        }
        guard visited.insert(offset).inserted else {
            warnings.append("EXIF \(name) points back to an earlier directory; ignored")
            return [:]
        }
        guard let n = u16(offset) else { return [:] }
        if Int(n) > Self.maxEntries {
            warnings.append("EXIF \(name) claims \(n) entries; ignored")
            return [:]
        }
        var out: [UInt16: Entry] = [:]
        for i in 0..<Int(n) {
            let e = offset + 2 + 12 * i
            guard let tag = u16(e), let type = u16(e + 2), let count = u32(e + 4), e + 12 <= bytes.count else {
                warnings.append("EXIF \(name) is cut short after \(i) of \(n) entries")
                break
            }
            out[tag] = Entry(type: type, count: count, fieldOffset: e + 8)
        }
        return out
    }

    private func shortValue(_ e: Entry) -> UInt16? {
        guard e.count >= 1 else { return nil }
        switch e.type {
        case 3: return u16(e.fieldOffset)
        case 4: return u32(e.fieldOffset).flatMap { UInt16(exactly: $0) }
        default: return nil
        }
    }

    private func longValue(_ e: Entry) -> UInt32? {
        guard e.count >= 1 else { return nil }
        switch e.type {
        case 4, 13: return u32(e.fieldOffset)
        case 3: return u16(e.fieldOffset).map(UInt32.init)
        default: return nil
        }
    }

    private func asciiValue(_ e: Entry) -> String? {
        guard e.type == 2 || e.type == 7, e.count > 0, e.count <= 4096 else { return nil }
        let count = Int(e.count)
        let start: Int
        if count <= 4 {
            start = e.fieldOffset
        } else {
            guard let offset = u32(e.fieldOffset) else { return nil }
            start = Int(offset)
        }
        guard start >= 0, start + count <= bytes.count else { return nil }
        let raw = bytes[start..<start + count].prefix { $0 != 0 }
        let text = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    private func u16(_ at: Int) -> UInt16? {
        guard at >= 0, at + 2 <= bytes.count else { return nil }
        let a = UInt16(bytes[at]), b = UInt16(bytes[at + 1])
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    private func u32(_ at: Int) -> UInt32? {
        guard let hi = u16(bigEndian ? at : at + 2), let lo = u16(bigEndian ? at + 2 : at) else { return nil }
        return UInt32(hi) << 16 | UInt32(lo)
    }

    /// "YYYY:MM:DD HH:MM:SS" → "YYYY-MM-DDTHH:MM:SS", or nil when any field is invalid.
    static func isoDate(_ text: String) -> String? {
        let parts = text.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "-" || $0 == "T" })
        guard parts.count >= 6 else { return nil }
        // A zone written straight after the seconds ("14:38:09GMT+2", as Apple Vision Pro does) is not part of the
        // local time.
        let numbers = parts.prefix(6).enumerated().compactMap { i, part in Int(i == 5 ? part.prefix { $0.isASCII && $0.isNumber } : part) }
        guard numbers.count == 6 else { return nil }
        let (y, mo, d, h, mi, s) = (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5])
        guard (1800...9999).contains(y), (1...12).contains(mo), (1...31).contains(d),
              (0...23).contains(h), (0...59).contains(mi), (0...60).contains(s) else { return nil }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(mo))-\(two(d))T\(two(h)):\(two(mi)):\(two(s))"
    }
}
