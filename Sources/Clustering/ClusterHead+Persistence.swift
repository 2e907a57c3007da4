import Foundation
import Index
import Tensor

extension ClusterHead {
    /// First bytes of a head file.
    static let magic: [UInt8] = Array("HERDHEAD".utf8)
    /// The format version this build writes and reads.
    public static let formatVersion: UInt32 = 1

    /// The head as file bytes: magic, version, clusters, dimension, temperature, weights, biases, checksum.
    public func serialised() -> [UInt8] {
        var out = Self.magic
        func put<T>(_ value: T) { withUnsafeBytes(of: value) { out.append(contentsOf: $0) } }
        put(Self.formatVersion.littleEndian)
        put(UInt32(clusters).littleEndian)
        put(UInt32(dimension).littleEndian)
        put(temperature.bitPattern.littleEndian)
        weight.data.withUnsafeBytes { out.append(contentsOf: $0) }
        bias.withUnsafeBytes { out.append(contentsOf: $0) }
        put(checksum64(out[...]).littleEndian)
        return out
    }

    /// Saves the head to `path` atomically (temporary file, fsync, rename).
    public func save(to path: String) throws {
        do {
            try AtomicFile.write(serialised(), to: path)
        } catch let error as TensorFileError {
            throw ClusteringError(error.description)
        }
    }

    /// Loads a head saved by `save(to:)`; refuses foreign, newer, truncated or corrupt files.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClusteringError("\(path): cannot read the head file (missing or unreadable)")
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    /// Parses head file bytes; `path` only names the source in errors.
    public init(bytes: [UInt8], path: String) throws {
        let retrain = "delete it and herd retrains the head"
        guard bytes.count >= 24, Array(bytes[0..<8]) == Self.magic else {
            throw ClusteringError("\(path): not a herd head file (wrong magic); \(retrain)")
        }
        func u32(_ at: Int) -> UInt32 {
            bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        }
        guard u32(8) == Self.formatVersion else {
            throw ClusteringError("\(path): head format version \(u32(8)), this herd reads \(Self.formatVersion); \(retrain)")
        }
        let c = Int(u32(12)), d = Int(u32(16))
        guard c >= 1, c <= 1 << 16, d >= 1, d <= 1 << 16 else { throw ClusteringError("\(path): the head header is inconsistent; \(retrain)") }
        let body = 24 + 4 * (c * d + c)
        guard bytes.count >= body + 8 else {
            throw ClusteringError("\(path): the head file is truncated (needs \(body + 8) bytes, has \(bytes.count)); \(retrain)")
        }
        guard bytes.count == body + 8 else { throw ClusteringError("\(path): the head file has trailing bytes; \(retrain)") }
        let stored = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: body, as: UInt64.self)) }
        guard stored == checksum64(bytes[0..<body]) else {
            throw ClusteringError("\(path): the head file's checksum does not match (damaged on disk); \(retrain)")
        }
        let floats = bytes.withUnsafeBytes { raw in
            (0..<(c * d + c)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 24 + 4 * $0, as: UInt32.self))) }
        }
        let temperature = Float(bitPattern: u32(20))
        guard temperature > 0, temperature.isFinite, floats.allSatisfy({ $0.isFinite }) else {
            throw ClusteringError("\(path): the head holds non-finite values; \(retrain)")
        }
        self.init(weight: Tensor(shape: [c, d], data: Array(floats[0 ..< c * d])), bias: Array(floats[(c * d)...]), temperature: temperature)
    }
}
