/// Image formats recognised by their first bytes, never by file name.
public enum ImageFormat: String, Sendable, Codable {
    case jpeg
    case png
    /// HEIF: HEIC from phones (HEVC), and other codecs in the same container; decoded by libheif.
    case heif
    /// AVIF: AV1 in the HEIF container; decoded by libheif.
    case avif
    /// WebP, lossy or lossless, still or animated; decoded by libwebp.
    case webp

    /// What the first bytes of a file say it is.
    public enum Sniff: Equatable, Sendable {
        /// A format herd decodes.
        case supported(ImageFormat)
        /// Something recognised that herd does not decode; the text says what it is.
        case unsupported(String)
        /// A damaged signature of a format herd decodes.
        case damaged(ImageFormat, String)
        /// Nothing recognised; the text shows the first bytes.
        case unknown(String)
        /// No bytes at all.
        case empty
    }

    /// Bytes `sniff` needs to decide; reading more does not change the answer.
    public static let sniffLength = 32

    /// Recognises a file from its first bytes (at least `sniffLength` when the file has them).
    public static func sniff(_ head: some Collection<UInt8>) -> Sniff {
        let b = Array(head.prefix(sniffLength))
        if b.isEmpty { return .empty }
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            b.count >= offset + prefix.count && Array(b[offset..<offset + prefix.count]) == prefix
        }
        func ascii(_ text: String, at offset: Int = 0) -> Bool { starts(Array(text.utf8), at: offset) }

        if starts([0xFF, 0xD8, 0xFF]) { return .supported(.jpeg) }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        if starts(png) { return .supported(.png) }
        if b.count >= 8, zip(b, png).filter({ $0 != $1 }).count <= 2 {
            let lineEndings = [4, 5, 7].contains { b[$0] != png[$0] }
            return .damaged(.png, "damaged PNG signature (first bytes \(hex(b.prefix(8))), expected \(hex(png)))"
                + (lineEndings ? "; its line-ending bytes were rewritten, as a text-mode transfer does" : ""))
        }
        if ascii("version https://git-lfs") {
            return .unsupported("a Git LFS pointer file, not the image itself (run `git lfs pull` in its repository)")
        }
        if ascii("ftyp", at: 4), b.count >= 12 {
            return isoMedia(b)
        }
        if ascii("GIF87a") || ascii("GIF89a") { return .unsupported("GIF") }
        if ascii("RIFF"), ascii("WEBP", at: 8) { return .supported(.webp) }
        if ascii("II*\0") || ascii("MM\0*") { return .unsupported("TIFF (or a camera raw file built on TIFF)") }
        if ascii("BM") && b.count >= 14 { return .unsupported("BMP") }
        if starts([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return .unsupported("an OLE compound file (e.g. Windows Thumbs.db), not a photo")
        }
        if starts([0, 0, 0, 1]), ascii("Bud1", at: 4) { return .unsupported("a macOS .DS_Store file, not a photo") }
        if ascii("%PDF") { return .unsupported("PDF") }
        return .unknown("first bytes \(hex(b.prefix(8)))")
    }

    /// Still-image brands of the HEIF family (ISO/IEC 23008-12, MIAF) that libheif reads.
    static let heifBrands: Set<String> = ["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs",
                                          "mif1", "msf1", "mif2", "miaf", "heif", "avci", "avcs", "jpeg", "jpgs"]

    /// An ISO-BMFF file (`ftyp` box at the start): HEIF or AVIF when its major brand or one of the
    /// compatible brands in the sniffed bytes says so, anything else (MP4, MOV, 3GP) is a video.
    private static func isoMedia(_ b: [UInt8]) -> Sniff {
        let major = String(decoding: b[8..<12], as: UTF8.self)
        let boxSize = Int(b[0]) << 24 | Int(b[1]) << 16 | Int(b[2]) << 8 | Int(b[3])
        var brands = [major]
        var offset = 16
        while offset + 4 <= min(b.count, boxSize) {
            brands.append(String(decoding: b[offset..<offset + 4], as: UTF8.self))
            offset += 4
        }
        if brands.contains("avif") || brands.contains("avis") { return .supported(.avif) }
        if brands.contains(where: heifBrands.contains) { return .supported(.heif) }
        return .unsupported("an ISO-BMFF file (brand '\(major)'), e.g. a video")
    }

    /// Bytes as space-separated upper-case hex pairs.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: " ")
    }
}
