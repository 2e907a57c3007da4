import Crypto
import Foundation
import Tensor
#if canImport(Glibc)
import Glibc
#endif

/// Writes mapped weights as the store's `model.safetensors`: float32, tensors sorted by name, a fixed
/// `__metadata__` (`"herd": "model-weights 1"`, the magic and version, and transformers' `"format": "pt"`).
/// The bytes depend only on the tensors' names, shapes and values, so the same weights installed from any
/// of their forms give the same file, and the same SHA-256 (the model id).
///
/// Tensors are streamed one at a time from the source mapping to the file, and each source range is dropped
/// from memory once written: an import holds about one tensor in memory, never a copy of the model.
enum StoreWeightsWriter {
    /// Magic and version of the store's weights files.
    static let magic = "model-weights 1"

    /// Writes `mapping` to `path` (created or truncated) and fsyncs it; returns the file's SHA-256 (hex).
    static func write(_ mapping: WeightLayout.Mapping, to path: String) throws -> String {
        var header: [String: Any] = ["__metadata__": ["format": "pt", "herd": magic]]
        var offset = 0
        for t in mapping.tensors {
            let bytes = 4 * t.shape.reduce(1, *)
            header[t.name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }

        return try EncoderError.systemCalls(hint: "check free space and permissions") {
            let fd = try SystemCall.call("open", path: path) { open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
            defer { close(fd) }
            var hasher = SHA256()
            func emit(_ raw: UnsafeRawBufferPointer) throws {
                hasher.update(bufferPointer: raw)
                try SystemCall.writeAll(fd, raw, path: path)
            }
            try withUnsafeBytes(of: UInt64(json.count).littleEndian) { try emit($0) }
            try json.withUnsafeBytes { try emit($0) }
            for t in mapping.tensors {
                try t.source.withFloat32Bytes(t.sourceName) { try emit($0) }
                t.source.file.evict(t.source.storage)
            }
            try SystemCall.call("fsync", path: path) { fsync(fd) }
            return hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
    }
}
