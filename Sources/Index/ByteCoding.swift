/// Appends little-endian fields to a byte buffer.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func put<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func put<T>(array: [T]) {
        array.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }
}

/// Reads little-endian fields from a byte buffer, throwing `truncated` past its end.
struct ByteReader {
    let bytes: [UInt8]
    let path: String
    var offset = 0

    mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, offset <= bytes.count - n else {
            throw IndexError(.truncated, path: path, "the index file is truncated (needs \(offset + n) bytes, has \(bytes.count)); delete it and herd rebuilds the index")
        }
        defer { offset += n }
        return bytes[offset ..< offset + n]
    }

    mutating func get<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let slice = try take(MemoryLayout<T>.size)
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: slice) }
        return T(littleEndian: value)
    }

    mutating func get<T: BitwiseCopyable>(array _: T.Type, count: Int) throws -> [T] {
        let (size, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard !overflow else { throw IndexError(.corrupt, path: path, "the index file declares an impossible size; delete it and herd rebuilds the index") }
        let slice = try take(size)
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            slice.withUnsafeBytes { src in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: src)
            }
            initialized = count
        }
    }
}

/// FNV-1a over 64-bit little-endian words (then the tail bytes): cheap, and catches truncation and bit rot.
public func checksum64(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    let prime: UInt64 = 0x0000_0100_0000_01B3
    bytes.withUnsafeBytes { raw in
        let words = raw.count / 8
        for i in 0..<words {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* prime
        }
        for i in (words * 8)..<raw.count { h = (h ^ UInt64(raw[i])) &* prime }
    }
    return h
}
