import Glibc
import Imaging

/// What a file looks like from its name and first bytes.
public enum ImageSniffing {
    /// True when the file's first bytes are the signature of a format Imaging decodes (JPEG, PNG, HEIF, AVIF,
    /// WebP), intact or damaged.
    /// Unreadable files are not images.
    public static func isLikelyImage(atPath path: String) -> Bool {
        guard let header = try? readHeader(path, count: ImageFormat.sniffLength) else { return false }
        switch ImageFormat.sniff(header) {
        case .supported, .damaged: return true
        case .unsupported, .unknown, .empty: return false
        }
    }

    /// True when the name promises a photo: such a file is catalogued even when its bytes disagree or
    /// its format is not decoded (TIFF, GIF), so it is listed with a reason, not silently skipped.
    public static func hasImageExtension(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: ".") else { return false }
        let ext = name[name.index(after: dot)...].lowercased()
        return ["jpg", "jpeg", "jpe", "jfif", "png", "heic", "heif", "avif", "webp", "tif", "tiff", "gif"].contains(ext)
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
