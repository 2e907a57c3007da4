extension ExifReader {
    /// The TIFF payload of a HEIF `Exif` item: a 4-byte big-endian offset to the TIFF header, then
    /// (usually) "Exif\0\0" and the TIFF data. Nil when the offset points outside the block.
    static func tiffPayload(heifExifItem block: [UInt8]) -> [UInt8]? {
        guard block.count >= 4 else { return nil }
        let offset = Int(block[0]) << 24 | Int(block[1]) << 16 | Int(block[2]) << 8 | Int(block[3])
        guard offset <= block.count - 4 else { return nil }
        return tiffPayload(exifChunk: Array(block[(4 + offset)...]))
    }

    /// The TIFF payload of an EXIF block that may start with the JPEG-style "Exif\0\0" header (WebP
    /// writers differ on this; some HEIF writers put it after the offset, some count it in).
    static func tiffPayload(exifChunk bytes: [UInt8]) -> [UInt8] {
        let header: [UInt8] = Array("Exif\0\0".utf8)
        return bytes.starts(with: header) ? Array(bytes.dropFirst(header.count)) : bytes
    }
}
