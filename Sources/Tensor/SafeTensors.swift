import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A safetensors file, memory-mapped read-only: the header is parsed and checked against the file
/// size when it is opened, tensors are converted to float32 when asked for.
///
/// Immutable after `init`; the mapping is read-only and released in `deinit`, so sharing it across
/// threads is safe (hence `@unchecked Sendable`).
public final class SafeTensorsFile: @unchecked Sendable {
    /// Element types herd converts to float32.
    public enum DType: String, Sendable {
        case f32 = "F32", f16 = "F16", bf16 = "BF16"

        /// Bytes per element.
        public var size: Int { self == .f32 ? 4 : 2 }
    }

    /// One tensor's header entry.
    public struct Entry: Sendable, Equatable {
        /// The tensor's name in the file.
        public var name: String
        /// The dtype string as stored (e.g. "F32", "I64").
        public var dtype: String
        /// Dimensions, outermost first.
        public var shape: [Int]
        /// Byte range inside the data section (after the header).
        public var byteRange: Range<Int>
    }

    /// The file this was read from.
    public let path: String
    /// Header entries by tensor name.
    public let entries: [String: Entry]
    /// The string map stored under `__metadata__` (empty when absent).
    public let metadata: [String: String]

    private let mapping: UnsafeRawBufferPointer
    private let dataStart: Int

    /// Maps `path` and validates its header; throws naming the file on anything that is not a
    /// complete safetensors file.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw TensorFileError(path: path, message: "cannot open (\(String(cString: strerror(errno)))); check the path")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw TensorFileError(path: path, message: "cannot stat (\(String(cString: strerror(errno))))")
        }
        let size = Int(info.st_size)
        guard size >= 8 else {
            throw TensorFileError(path: path, message: "not a safetensors file: only \(size) bytes (a safetensors file starts with an 8-byte header length)")
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw TensorFileError(path: path, message: "cannot map the file (\(String(cString: strerror(errno))))")
        }
        let mapping = UnsafeRawBufferPointer(start: UnsafeRawPointer(base), count: size)
        do {
            let parsed = try Self.parseHeader(mapping, path: path)
            self.entries = parsed.entries
            self.metadata = parsed.metadata
            self.dataStart = parsed.dataStart
            self.mapping = mapping
        } catch {
            munmap(base, size)
            throw error
        }
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: mapping.baseAddress), mapping.count)
    }

    /// Names of all tensors, sorted.
    public var names: [String] { entries.keys.sorted() }

    /// The tensor `name` converted to float32; throws naming the tensor when it is missing or of a
    /// dtype herd does not read.
    public func tensor(_ name: String) throws -> Tensor {
        guard let entry = entries[name] else {
            throw TensorFileError(path: path, message: "has no tensor '\(name)'")
        }
        guard let dtype = DType(rawValue: entry.dtype) else {
            throw TensorFileError(path: path, message: "tensor '\(name)' has dtype \(entry.dtype); herd reads F32, F16 and BF16 (convert the checkpoint with safetensors in Python)")
        }
        let count = entry.shape.reduce(1, *)
        var out = [Float](repeating: 0, count: count)
        let start = dataStart + entry.byteRange.lowerBound
        let raw = UnsafeRawBufferPointer(rebasing: mapping[start ..< start + count * dtype.size])
        out.withUnsafeMutableBufferPointer { dst in
            switch dtype {
            case .f32:
                for i in 0..<count { dst[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            case .f16:
                for i in 0..<count { dst[i] = Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))) }
            case .bf16:
                for i in 0..<count { dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
            }
        }
        return Tensor(shape: entry.shape, data: out)
    }

    /// Drops the pages holding tensor `name` from this process's resident memory once it has been
    /// converted, so loading a model does not hold the file and its float32 copy at once. The
    /// mapping stays valid: the pages are read from the file again if touched.
    public func evict(_ name: String) {
        guard let entry = entries[name], let base = mapping.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (dataStart + entry.byteRange.lowerBound + page - 1) / page * page
        let end = (dataStart + entry.byteRange.upperBound) / page * page
        guard end > start else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
    }

    /// Parses the 8-byte length and JSON header of a mapped file and checks every entry's byte range.
    static func parseHeader(_ bytes: UnsafeRawBufferPointer, path: String) throws -> (entries: [String: Entry], metadata: [String: String], dataStart: Int) {
        let headerLength = Int(clamping: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
        let notSafetensors = "not a safetensors file (the first 8 bytes must give the JSON header length); export weights with safetensors.torch.save_file or save_pretrained"
        guard headerLength >= 2, headerLength <= 100_000_000 else {
            throw TensorFileError(path: path, message: notSafetensors)
        }
        guard 8 + headerLength <= bytes.count else {
            throw TensorFileError(path: path, message: "truncated: the header says \(headerLength) bytes but the file has \(bytes.count - 8) after the length; download or copy it again")
        }
        let headerData = Data(UnsafeRawBufferPointer(rebasing: bytes[8 ..< 8 + headerLength]))
        guard headerData.first == UInt8(ascii: "{"),
              let json = try? JSONSerialization.jsonObject(with: headerData),
              let object = json as? [String: Any] else {
            throw TensorFileError(path: path, message: notSafetensors)
        }
        let dataStart = 8 + headerLength
        let dataLength = bytes.count - dataStart
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in object {
            if name == "__metadata__" {
                for (k, v) in value as? [String: Any] ?? [:] { metadata[k] = v as? String ?? "\(v)" }
                continue
            }
            guard let fields = value as? [String: Any],
                  let dtype = fields["dtype"] as? String,
                  let shape = (fields["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  let offsets = (fields["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  offsets.count == 2, shape.count == (fields["shape"] as? [Any])?.count,
                  shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw TensorFileError(path: path, message: "header entry for tensor '\(name)' is malformed (needs dtype, shape, data_offsets)")
            }
            if let known = DType(rawValue: dtype) {
                let (count, overflow) = shape.reduce((1, false)) { acc, d in
                    let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                    return (p, acc.1 || o)
                }
                guard !overflow, count.multipliedReportingOverflow(by: known.size) == (count * known.size, false),
                      offsets[1] - offsets[0] == count * known.size else {
                    throw TensorFileError(path: path, message: "tensor '\(name)' of shape \(shape) \(dtype) should take \(count &* known.size) bytes, its offsets give \(offsets[1] - offsets[0]); the file is corrupt")
                }
            }
            guard offsets[1] <= dataLength else {
                throw TensorFileError(path: path, message: "truncated: tensor '\(name)' ends at byte \(offsets[1]) of the data but the file holds \(dataLength); download or copy it again")
            }
            entries[name] = Entry(name: name, dtype: dtype, shape: shape, byteRange: offsets[0] ..< offsets[1])
        }
        return (entries, metadata, dataStart)
    }
}

/// Writing safetensors files (used for converted models and for test fixtures).
public enum SafeTensors {
    /// A tensor to write: values are stored as `dtype` (rounded from float32 for F16/BF16).
    public struct Item: Sendable {
        /// Name in the file.
        public var name: String
        /// Stored element type.
        public var dtype: SafeTensorsFile.DType
        /// Values and shape.
        public var tensor: Tensor

        public init(name: String, dtype: SafeTensorsFile.DType = .f32, tensor: Tensor) {
            self.name = name
            self.dtype = dtype
            self.tensor = tensor
        }
    }

    /// The bytes of a safetensors file holding `items` in order, with `metadata` under `__metadata__`.
    public static func encode(_ items: [Item], metadata: [String: String] = [:]) -> Data {
        var header = "{"
        var payload = Data()
        var parts: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0] ?? ""))" }
            parts.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        for item in items {
            let start = payload.count
            for v in item.tensor.data {
                switch item.dtype {
                case .f32: withUnsafeBytes(of: v.bitPattern.littleEndian) { payload.append(contentsOf: $0) }
                case .f16: withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { payload.append(contentsOf: $0) }
                case .bf16: withUnsafeBytes(of: bfloat16(v).littleEndian) { payload.append(contentsOf: $0) }
                }
            }
            let shape = item.tensor.shape.map(String.init).joined(separator: ",")
            parts.append("\(jsonString(item.name)):{\"dtype\":\"\(item.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(start),\(payload.count)]}")
        }
        header += parts.joined(separator: ",") + "}"
        while (header.utf8.count % 8) != 0 { header += " " }
        var out = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(Data(header.utf8))
        out.append(payload)
        return out
    }

    /// Round-to-nearest-even bfloat16 bits of `v`.
    static func bfloat16(_ v: Float) -> UInt16 {
        let bits = v.bitPattern
        if v.isNaN { return UInt16(bits >> 16) | 0x40 }
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(rounded >> 16)
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where ch.value < 0x20: out += String(format: "\\u%04x", ch.value)
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }
}
