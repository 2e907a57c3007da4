import Foundation

/// Errors reading or writing tensor files; each names the file and what to do.
public struct TensorFileError: Error, CustomStringConvertible, Equatable {
    /// The file concerned.
    public var path: String
    /// What went wrong, and how to fix it where that is not obvious.
    public var message: String
    /// The errno of a failed system call, when one failed.
    public var errno: Int32?

    public init(path: String, message: String, errno: Int32? = nil) {
        self.path = path
        self.message = message
        self.errno = errno
    }

    public var description: String { "\(path): \(message)" }
}

/// An array read from a NumPy `.npy` file (format 1.0–3.0, C order, little-endian).
public struct NpyArray: Sendable {
    /// Element types herd reads.
    public enum DType: String, Sendable {
        case float16 = "<f2", float32 = "<f4", float64 = "<f8"
        case int32 = "<i4", int64 = "<i8", uint8 = "|u1"

        var size: Int {
            switch self {
            case .float16: 2
            case .float32, .int32: 4
            case .float64, .int64: 8
            case .uint8: 1
            }
        }

        var isFloat: Bool { self == .float16 || self == .float32 || self == .float64 }
    }

    /// Element type as stored in the file.
    public var dtype: DType
    /// Dimensions, outermost first.
    public var shape: [Int]
    /// Raw little-endian element bytes.
    public var payload: Data

    /// Elements converted to Float (any stored type).
    public func floats() -> [Float] {
        let n = shape.reduce(1, *)
        var out = [Float](repeating: 0, count: n)
        payload.withUnsafeBytes { raw in
            switch dtype {
            case .float32: for i in 0..<n { out[i] = Float(bitPattern: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self).littleEndian) }
            case .float16: for i in 0..<n { out[i] = Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self).littleEndian)) }
            case .float64: for i in 0..<n { out[i] = Float(Double(bitPattern: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self).littleEndian)) }
            case .int32: for i in 0..<n { out[i] = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self))) }
            case .int64: for i in 0..<n { out[i] = Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))) }
            case .uint8: for i in 0..<n { out[i] = Float(raw[i]) }
            }
        }
        return out
    }

    /// Elements converted to Int; nil when the file holds floats.
    public func integers() -> [Int]? {
        guard !dtype.isFloat else { return nil }
        let n = shape.reduce(1, *)
        var out = [Int](repeating: 0, count: n)
        payload.withUnsafeBytes { raw in
            switch dtype {
            case .int32: for i in 0..<n { out[i] = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self))) }
            case .int64: for i in 0..<n { out[i] = Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))) }
            case .uint8: for i in 0..<n { out[i] = Int(raw[i]) }
            default: break
            }
        }
        return out
    }
}

/// NumPy `.npy` reading and writing.
public enum Npy {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    /// Reads a `.npy` file; throws naming the file on anything herd cannot use.
    public static func read(path: String) throws -> NpyArray {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TensorFileError(path: path, message: "cannot read the file (missing or unreadable)")
        }
        return try parse(data, path: path)
    }

    /// Reads a float `.npy` file (float16/32/64) as a tensor.
    public static func readTensor(path: String) throws -> Tensor {
        let array = try read(path: path)
        guard array.dtype.isFloat else {
            throw TensorFileError(path: path, message: "holds \(array.dtype.rawValue) values; expected float32 or float16 (save with x.astype(np.float32))")
        }
        return Tensor(shape: array.shape, data: array.floats())
    }

    /// Parses the bytes of a `.npy` file.
    public static func parse(_ data: Data, path: String) throws -> NpyArray {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw TensorFileError(path: path, message: "not a NumPy .npy file (no \\x93NUMPY magic); save arrays with numpy.save")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw TensorFileError(path: path, message: "truncated .npy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw TensorFileError(path: path, message: "unsupported .npy format version \(major)")
        }
        guard data.count >= headerStart + headerLength else {
            throw TensorFileError(path: path, message: "truncated .npy header")
        }
        let headerData = data.subdata(in: data.startIndex + headerStart ..< data.startIndex + headerStart + headerLength)
        guard let header = String(data: headerData, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw TensorFileError(path: path, message: "unreadable .npy header")
        }
        let descr = try field("descr", in: header, path: path)
        guard let dtype = NpyArray.DType(rawValue: descr == "<u1" ? "|u1" : descr) else {
            throw TensorFileError(path: path, message: "unsupported dtype \(descr); herd reads float16/32/64 and int32/64 little-endian")
        }
        let fortran = try field("fortran_order", in: header, path: path)
        guard fortran == "False" else {
            throw TensorFileError(path: path, message: "array is stored in Fortran order; save np.ascontiguousarray(x)")
        }
        let shapeText = try field("shape", in: header, path: path)
        let shape = try shapeText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map {
            guard let v = Int($0), v >= 0 else { throw TensorFileError(path: path, message: "bad shape \(shapeText)") }
            return v
        }
        let (count, overflow) = shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        let payloadStart = data.startIndex + headerStart + headerLength
        let needed = count.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, !needed.overflow, data.count - headerStart - headerLength >= needed.partialValue else {
            throw TensorFileError(path: path, message: "truncated: shape \(shape) of \(descr) needs \(needed.partialValue) bytes, file has \(data.count - headerStart - headerLength)")
        }
        return NpyArray(dtype: dtype, shape: shape, payload: data.subdata(in: payloadStart ..< payloadStart + needed.partialValue))
    }

    /// The text of a key in the header dict: `'descr': '<f4'` → `<f4`, `'shape': (3, 4)` → `3, 4`.
    static func field(_ key: String, in header: String, path: String) throws -> String {
        guard let keyRange = header.range(of: "'\(key)':") else {
            throw TensorFileError(path: path, message: ".npy header lacks '\(key)'")
        }
        var rest = header[keyRange.upperBound...].drop { $0 == " " }
        if rest.first == "(" {
            rest = rest.dropFirst()
            guard let end = rest.firstIndex(of: ")") else { throw TensorFileError(path: path, message: "bad .npy header") }
            return String(rest[..<end])
        }
        if rest.first == "'" {
            rest = rest.dropFirst()
            guard let end = rest.firstIndex(of: "'") else { throw TensorFileError(path: path, message: "bad .npy header") }
            return String(rest[..<end])
        }
        let end = rest.firstIndex { $0 == "," || $0 == "}" } ?? rest.endIndex
        return rest[..<end].trimmingCharacters(in: .whitespaces)
    }

    /// The bytes of a version 1.0 `.npy` file holding `payload` of `descr` and `shape`.
    static func encode(descr: String, shape: [Int], payload: Data) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var out = Data(magic + [1, 0])
        let n = header.utf8.count
        out.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)])
        out.append(header.data(using: .ascii) ?? Data())
        out.append(payload)
        return out
    }

    /// The bytes of a float32 `.npy` file holding `tensor`.
    public static func encode(_ tensor: Tensor) -> Data {
        let payload = tensor.data.withUnsafeBufferPointer { Data(buffer: $0) }
        return encode(descr: "<f4", shape: tensor.shape, payload: payload)
    }

    /// The bytes of an int64 `.npy` file holding `values` as a vector.
    public static func encode(labels values: [Int]) -> Data {
        let payload = values.map { Int64($0).littleEndian }.withUnsafeBufferPointer { Data(buffer: $0) }
        return encode(descr: "<i8", shape: [values.count], payload: payload)
    }

    /// Writes `tensor` as float32 `.npy` atomically (temporary file, fsync, rename).
    public static func write(_ tensor: Tensor, to path: String) throws {
        try AtomicFile.write(encode(tensor), to: path)
    }

    /// Writes `values` as an int64 `.npy` vector atomically (temporary file, fsync, rename).
    public static func write(labels values: [Int], to path: String) throws {
        try AtomicFile.write(encode(labels: values), to: path)
    }
}
