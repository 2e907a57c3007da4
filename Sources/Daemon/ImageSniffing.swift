import Glibc

/// What a file looks like from its name and first bytes.
public enum ImageSniffing {
    /// The image format the first bytes announce (`jpeg`: FF D8 FF; `png`: the 8-byte PNG signature), or nil.
    public static func format(ofHeader header: [UInt8]) -> String? {
        if header.count >= 3, header[0] == 0xFF, header[1] == 0xD8, header[2] == 0xFF { return "jpeg" }
        if header.count >= 8, header[0 ..< 8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "png" }
        return nil
    }

    /// True when the file's first bytes are a JPEG or PNG signature. Unreadable files are not images.
    public static func isLikelyImage(atPath path: String) -> Bool {
        guard let header = try? readHeader(path, count: 8) else { return false }
        return format(ofHeader: header) != nil
    }

    /// True when the name ends in an extension that promises a JPEG or PNG: such a file is catalogued even
    /// when its bytes disagree, so that a broken photo is listed with a reason instead of silently skipped.
    public static func hasImageExtension(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        let ext = name[name.index(after: dot)...].lowercased()
        return ["jpg", "jpeg", "jpe", "jfif", "png"].contains(ext)
    }

    /// Up to `count` bytes from the start of the file.
    static func readHeader(_ path: String, count: Int) throws -> [UInt8] {
        let file = FileDescriptor(try Syscall.openForReading(path))
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try buffer.withUnsafeMutableBytes { raw in
                try Syscall.read(file.fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]), path: path)
            }
            if n == 0 { break }
            filled += n
        }
        return Array(buffer[0 ..< filled])
    }
}
