/// The values a checkpoint's pickle builds: the state dict's containers and scalars, storages by
/// persistent id, and tensors as references into those storages (nothing is read or called).
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    /// A bytes object (only its length is kept).
    case bytes(Int)
    case tuple([PickleValue])
    case list(PickleList)
    case dict(PickleDict)
    /// An allowed global, by its dotted name, not yet applied.
    case global(String)
    case storage(StorageReference)
    case tensor(TensorReference)
    /// An inert data object of an allowed class (argparse.Namespace), with the state BUILD gave it.
    case record(String, PickleDict)

    /// A word for error messages.
    var kind: String {
        switch self {
        case .none: "None"
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .tuple: "tuple"
        case .list: "list"
        case .dict: "dict"
        case .global(let name): name
        case .storage: "storage"
        case .tensor: "tensor"
        case .record(let name, _): name
        }
    }
}

/// A list, by reference as in Python (APPENDS may come after the list was memoised).
final class PickleList {
    var items: [PickleValue] = []
}

/// A dict, by reference as in Python, in insertion order.
final class PickleDict {
    var entries: [(key: PickleValue, value: PickleValue)] = []

    /// The value under string key `key`.
    subscript(key: String) -> PickleValue? {
        entries.last { if case .string(key) = $0.key { true } else { false } }?.value
    }
}

/// A storage named by a persistent id `('storage', torch.XStorage, key, location, numel)`: the zip entry
/// `data/KEY` holds its `elements` values of `dtype`.
struct StorageReference {
    var key: String
    var dtype: StoredTensor.DType
    var elements: Int
}

/// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)`: a strided view of a storage.
struct TensorReference {
    var storage: StorageReference
    var offset: Int
    var shape: [Int]
    var strides: [Int]
}
