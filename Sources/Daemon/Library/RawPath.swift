import Foundation
import Imaging
import Glibc

/// Linux file names are bytes, not text. herd keeps every path as a Swift `String` that round-trips to the exact
/// bytes: valid UTF-8 is itself, and each byte of an invalid sequence is stored as the private-use scalar
/// U+F700 + byte (U+F780…U+F7FF). Real U+F780…U+F7FF scalars in a name are escaped byte by byte too, so decoding
/// is exact for every name. Paths go to system calls through `withCString`, and to people through `display`
/// (U+FFFD for each undecodable run).
public enum RawPath {
    static let escapeBase: UInt32 = 0xF700

    /// The path for these raw bytes (no NUL).
    public static func string<C: Collection>(fromBytes bytes: C) -> String where C.Element == UInt8 {
        // The common case: valid UTF-8 with nothing that needs escaping.
        if !bytes.contains(0xEF), let text = String(validating: bytes, as: UTF8.self) { return text }
        var scalars = String.UnicodeScalarView()
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var pending = Array(bytes)[...]
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                if scalar.value >= escapeBase + 0x80 && scalar.value <= escapeBase + 0xFF {
                    for byte in pending.prefix(encoded.count) { scalars.append(escaped(byte)) }
                } else {
                    scalars.append(scalar)
                }
                pending = pending.dropFirst(encoded.count)
            case .error(let length):
                for byte in pending.prefix(length) { scalars.append(escaped(byte)) }
                pending = pending.dropFirst(length)
            case .emptyInput:
                return String(scalars)
            }
        }
    }

    /// The exact bytes `path` stands for.
    public static func bytes(_ path: String) -> [UInt8] {
        guard path.unicodeScalars.contains(where: isEscape) else { return Array(path.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count)
        for scalar in path.unicodeScalars {
            if isEscape(scalar) { out.append(UInt8(scalar.value - escapeBase)) } else { out.append(contentsOf: String(scalar).utf8) }
        }
        return out
    }

    /// True when `path` stands for bytes that are not valid UTF-8 (or hold escaped scalars).
    public static func needsEscaping(_ path: String) -> Bool { path.unicodeScalars.contains(where: isEscape) }

    /// `path` for people: each run of escaped bytes becomes one U+FFFD.
    public static func display(_ path: String) -> String {
        guard needsEscaping(path) else { return path }
        var out = String.UnicodeScalarView()
        var lastWasEscape = false
        for scalar in path.unicodeScalars {
            if isEscape(scalar) {
                if !lastWasEscape { out.append("\u{FFFD}") }
                lastWasEscape = true
            } else {
                out.append(scalar)
                lastWasEscape = false
            }
        }
        return String(out)
    }

    /// Calls `body` with the NUL-terminated raw bytes of `path`.
    public static func withCString<T>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
        guard needsEscaping(path) else { return try path.withCString(body) }
        let bytes = Self.bytes(path).map { CChar(bitPattern: $0) } + [0]
        return try bytes.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// The library photo at `path` decoded to at least `minimumShortSide` pixels, opened by its exact name when that
    /// name is not UTF-8 (decoders take a `String` path, which cannot name such a file).
    static func decode(_ path: String, with decoder: ImageDecoder, minimumShortSide: Int?) throws -> DecodedImage {
        guard needsEscaping(path) else { return try decoder.decode(fileAt: path, minimumShortSide: minimumShortSide) }
        return try decoder.decode(data: readImage(path, limit: decoder.limits.maxFileBytes), path: path, minimumShortSide: minimumShortSide)
    }

    /// The bytes of the image file at `path`, opened by its exact name (decoders take a `String` path, which cannot
    /// name a file whose name is not UTF-8); refuses files over `limit` bytes as the decoder would.
    static func readImage(_ path: String, limit: Int) throws -> Data {
        do {
            let file = FileDescriptor(try Syscall.openForReading(path))
            var info = stat()
            try Syscall.call("fstat", path: path) { fstat(file.fd, &info) }
            guard info.isRegularFile else { throw ImagingError(.unreadable, path: path, "not a regular file") }
            guard Int(info.st_size) <= limit else {
                throw ImagingError(.tooLarge, path: path, "file is \(Int(info.st_size) >> 20) MiB, over the \(limit >> 20) MiB limit for one image")
            }
            return try Syscall.read(file.fd, upTo: Int(info.st_size), path: path)
        } catch let error as DaemonError {
            throw ImagingError(.unreadable, path: path, "cannot read: \(error.message)")
        }
    }

    private static func escaped(_ byte: UInt8) -> Unicode.Scalar { Unicode.Scalar(escapeBase + UInt32(byte)) ?? "\u{FFFD}" }

    private static func isEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= escapeBase + 0x80 && scalar.value <= escapeBase + 0xFF
    }
}
