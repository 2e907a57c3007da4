/// A tensor as a checkpoint stores it, not yet read: element type, shape and strides over a storage that
/// lies in a mapped file (a PyTorch storage entry or a safetensors data range).
struct StoredTensor {
    /// Element types of stored tensors; herd converts the floating-point ones to float32.
    enum DType: Equatable {
        case f32, f16, bf16, f64
        /// Any other (integer, bool, …): kept so the checkpoint reads, refused if a model tensor has it.
        case other(String)

        /// Bytes per element (nil: unknown).
        var size: Int? {
            switch self {
            case .f32: 4
            case .f16, .bf16: 2
            case .f64: 8
            case .other(let name):
                ["Long": 8, "Int": 4, "Short": 2, "Char": 1, "Byte": 1, "Bool": 1, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1][name]
            }
        }

        var name: String {
            switch self {
            case .f32: "float32"
            case .f16: "float16"
            case .bf16: "bfloat16"
            case .f64: "float64"
            case .other(let name): name
            }
        }
    }

    let file: MappedFile
    /// The storage's bytes in the file.
    let storage: Range<Int>
    let dtype: DType
    let shape: [Int]
    /// Element strides, outermost first.
    let strides: [Int]
    /// Element offset of the first value in the storage.
    let offset: Int

    /// Number of elements.
    var count: Int { shape.reduce(1, *) }

    /// Whether the elements lie row-major without gaps.
    var isContiguous: Bool {
        var expected = 1
        for (size, stride) in zip(shape, strides).reversed() where size != 1 {
            if stride != expected { return false }
            expected *= size
        }
        return true
    }

    /// Rows `rows` of the first dimension (a view, nothing read).
    func rows(_ rows: Range<Int>) -> StoredTensor {
        StoredTensor(file: file, storage: storage, dtype: dtype, shape: [rows.count] + shape.dropFirst(),
                     strides: strides, offset: offset + rows.lowerBound * strides[0])
    }

    /// Checks that every element lies inside the storage; throws naming the tensor otherwise.
    func validate(_ name: String) throws {
        guard let size = dtype.size else {
            throw EncoderError(file.path, "tensor '\(name)' has element type \(dtype.name), which herd cannot size")
        }
        guard shape.count == strides.count, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }), offset >= 0 else {
            throw EncoderError(file.path, "tensor '\(name)' has a malformed shape \(shape), strides \(strides) or offset \(offset); the checkpoint is damaged")
        }
        var last = offset, elements = 1, overflow = false
        for (dim, stride) in zip(shape, strides) {
            let (product, o1) = (max(dim, 1) - 1).multipliedReportingOverflow(by: stride)
            let (sum, o2) = last.addingReportingOverflow(product)
            let (total, o3) = elements.multipliedReportingOverflow(by: dim)
            overflow = overflow || o1 || o2 || o3
            last = sum
            elements = total
        }
        let available = storage.count / size
        guard !overflow, elements == 0 || last < available else {
            throw EncoderError(file.path, "tensor '\(name)' of shape \(shape) needs \(overflow ? "more" : String(last + 1)) \(dtype.name) values of its storage, which holds \(available); the checkpoint is damaged or incomplete, download or copy it again")
        }
    }

    /// Calls `body` with the tensor's values as little-endian float32, row-major: the stored bytes
    /// themselves when they already are that, else a converted copy of this one tensor.
    func withFloat32Bytes<R>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try validate(name)
        if dtype == .f32, isContiguous {
            let start = storage.lowerBound + 4 * offset
            return try body(UnsafeRawBufferPointer(rebasing: file.bytes[start ..< start + 4 * count]))
        }
        return try floats(name).withUnsafeBytes { try body($0) }
    }

    /// The values converted to float32, row-major (strides and offset honoured).
    func floats(_ name: String) throws -> [Float] {
        try validate(name)
        let convert: (UnsafeRawBufferPointer, Int) -> Float
        switch dtype {
        case .f32: convert = { Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 4 * $1, as: UInt32.self))) }
        case .f16: convert = { Float(Float16(bitPattern: UInt16(littleEndian: $0.loadUnaligned(fromByteOffset: 2 * $1, as: UInt16.self)))) }
        case .bf16: convert = { Float(bitPattern: UInt32(UInt16(littleEndian: $0.loadUnaligned(fromByteOffset: 2 * $1, as: UInt16.self))) << 16) }
        case .f64: convert = { Float(Double(bitPattern: UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 8 * $1, as: UInt64.self)))) }
        case .other(let type):
            throw EncoderError(file.path, "tensor '\(name)' holds \(type) values; a model's weights must be float32, float16, bfloat16 or float64")
        }
        let raw = UnsafeRawBufferPointer(rebasing: file.bytes[storage])
        var out = [Float](repeating: 0, count: count)
        guard count > 0 else { return out }
        let rank = shape.count
        if rank == 0 {
            out[0] = convert(raw, offset)
            return out
        }
        // Row-major walk: an index counter over all but the last dimension, a plain loop over the last.
        let inner = shape[rank - 1], innerStride = strides[rank - 1]
        var index = [Int](repeating: 0, count: rank - 1)
        var written = 0
        out.withUnsafeMutableBufferPointer { dst in
            while written < dst.count {
                var base = offset
                for d in 0..<(rank - 1) { base += index[d] * strides[d] }
                for j in 0..<inner { dst[written + j] = convert(raw, base + j * innerStride) }
                written += inner
                var d = rank - 2
                while d >= 0 {
                    index[d] += 1
                    if index[d] < shape[d] { break }
                    index[d] = 0
                    d -= 1
                }
            }
        }
        return out
    }
}
