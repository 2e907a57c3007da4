import Foundation
import Tensor

/// The tensors of a weights file in any form herd imports, by name, not yet read: a safetensors file, or a
/// PyTorch checkpoint (`torch.save`'s zip: `pytorch_model.bin`, `.pth`, `.pt`) whose nested dicts are
/// flattened to dotted names (`{"teacher": {"backbone.cls_token": …}}` → `teacher.backbone.cls_token`).
struct CheckpointFile {
    /// How the file stores its tensors.
    enum Format: String, Sendable {
        case safetensors
        case pytorch
    }

    let path: String
    let format: Format
    let tensors: [String: StoredTensor]
    /// The mapping the tensors point into.
    let file: MappedFile

    /// Reads the file's structure (headers, central directory, pickle); no tensor value is read yet.
    init(path: String) throws {
        self.path = path
        let file = try MappedFile(path: path)
        self.file = file
        let head = Array(file.bytes.prefix(16))
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            format = .pytorch
            tensors = try Self.readPyTorch(file)
        } else if head.starts(with: [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19])
                    || (file.count > 262 && Array(file.bytes[257..<262]) == Array("ustar".utf8)) {
            throw EncoderError(path, "this is PyTorch's serialization from before version 1.6 (not a zip), which herd does not read; re-save it with a recent torch: torch.save(torch.load(FILE, weights_only=True), NEW_FILE)")
        } else if head.count >= 9, head[8] == UInt8(ascii: "{") {
            format = .safetensors
            tensors = try Self.readSafeTensors(file)
        } else {
            throw EncoderError(path, "neither a safetensors file nor a PyTorch checkpoint (torch.save's zip); herd imports model.safetensors, pytorch_model.bin and .pth/.pt checkpoints")
        }
    }

    private static func readSafeTensors(_ file: MappedFile) throws -> [String: StoredTensor] {
        let header: SafeTensorsFile
        do { header = try SafeTensorsFile(path: file.path) } catch let e as TensorFileError { throw EncoderError(e.path, e.message) }
        let dataStart = 8 + Int(file.le(0, as: UInt64.self))
        var tensors: [String: StoredTensor] = [:]
        for (name, entry) in header.entries {
            let dtype: StoredTensor.DType = switch entry.dtype {
            case "F32": .f32
            case "F16": .f16
            case "BF16": .bf16
            case "F64": .f64
            default: .other(entry.dtype)
            }
            var strides = [Int](repeating: 1, count: entry.shape.count)
            for d in stride(from: entry.shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * entry.shape[d + 1] }
            tensors[name] = StoredTensor(file: file, storage: dataStart + entry.byteRange.lowerBound ..< dataStart + entry.byteRange.upperBound,
                                         dtype: dtype, shape: entry.shape, strides: strides, offset: 0)
        }
        return tensors
    }

    private static func readPyTorch(_ file: MappedFile) throws -> [String: StoredTensor] {
        let archive = try ZipArchive(file)
        let pickles = archive.names.filter { $0 == "data.pkl" || $0.hasSuffix("/data.pkl") }
        guard pickles.count == 1, let pickleName = pickles.first, let pickle = archive.bytes(pickleName) else {
            throw EncoderError(file.path, "a zip without exactly one data.pkl (found \(pickles.count)), so not a checkpoint torch.save wrote")
        }
        let root = String(pickleName.dropLast("data.pkl".count))
        if let order = archive.bytes(root + "byteorder") {
            let value = String(decoding: order, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard value == "little" else {
                throw EncoderError(file.path, "the checkpoint was saved on a \(value)-endian machine; herd reads little-endian checkpoints (re-save it on x86 or ARM)")
            }
        }
        var machine = PickleMachine(bytes: pickle, path: file.path, entry: pickleName)
        let object = try machine.run()
        var tensors: [String: StoredTensor] = [:]
        collect(object, name: "", depth: 0, archive: archive, root: root, into: &tensors)
        return tensors
    }

    /// Tensors reachable from `value` through dicts (dotted names); lists, records and scalars are skipped,
    /// and nesting stops at 8 levels (a pickle can make a dict contain itself).
    private static func collect(_ value: PickleValue, name: String, depth: Int, archive: ZipArchive, root: String,
                                into tensors: inout [String: StoredTensor]) {
        switch value {
        case .dict(let dict) where depth < 8:
            for (key, item) in dict.entries {
                let part: String
                switch key {
                case .string(let s): part = s
                case .int(let i): part = String(i)
                default: continue
                }
                collect(item, name: name.isEmpty ? part : name + "." + part, depth: depth + 1, archive: archive, root: root, into: &tensors)
            }
        case .tensor(let t):
            let storage = archive.entries[root + "data/" + t.storage.key]?.data ?? 0..<0
            tensors[name] = StoredTensor(file: archive.file, storage: storage, dtype: t.storage.dtype, shape: t.shape,
                                         strides: t.strides, offset: t.offset)
        default:
            break
        }
    }
}
