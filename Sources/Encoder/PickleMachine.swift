/// Reads the pickle of a PyTorch checkpoint (`data.pkl`) without executing anything: a stack machine for
/// the opcodes `torch.save` writes (protocol 2, plus the protocol 4 framing and memo opcodes), in which a
/// global is only a name. Globals outside `allowed` are refused, naming them, when the opcode is met; as
/// tensors are only references into storages, nothing of a tensor is read before the whole pickle has
/// been checked. Calls are interpreted by name, never made.
struct PickleMachine {
    /// The globals a state dict uses, and what applying them means here.
    static let allowed: Set<String> = Set([
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
        // A DINO training checkpoint's `args`: kept as an inert record (its fields), never constructed.
        "argparse.Namespace",
    ]).union(storageTypes.keys)

    /// `torch.XStorage` → element type.
    static let storageTypes: [String: StoredTensor.DType] = [
        "torch.FloatStorage": .f32, "torch.HalfStorage": .f16, "torch.BFloat16Storage": .bf16, "torch.DoubleStorage": .f64,
        "torch.LongStorage": .other("Long"), "torch.IntStorage": .other("Int"), "torch.ShortStorage": .other("Short"),
        "torch.CharStorage": .other("Char"), "torch.ByteStorage": .other("Byte"), "torch.BoolStorage": .other("Bool"),
    ]

    let bytes: UnsafeRawBufferPointer
    /// The checkpoint's path and the pickle's entry, for errors.
    let path: String
    let entry: String

    private var position = 0
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    init(bytes: UnsafeRawBufferPointer, path: String, entry: String) {
        self.bytes = bytes
        self.path = path
        self.entry = entry
    }

    /// Runs the pickle to its STOP and returns the object it built.
    mutating func run() throws -> PickleValue {
        while true {
            let opcode = try byte()
            switch opcode {
            case 0x80: _ = try byte()                                   // PROTO
            case 0x95: _ = try take(8)                                  // FRAME (protocol 4): a length, no effect here
            case 0x2E: return try pop()                                 // STOP
            case 0x28: marks.append(stack.count)                        // MARK
            case 0x7D: stack.append(.dict(PickleDict()))                // EMPTY_DICT
            case 0x5D: stack.append(.list(PickleList()))                // EMPTY_LIST
            case 0x29: stack.append(.tuple([]))                         // EMPTY_TUPLE
            case 0x74: stack.append(.tuple(try popMark()))              // TUPLE
            case 0x85: let a = try pop(); stack.append(.tuple([a]))     // TUPLE1
            case 0x86: let b = try pop(), a = try pop(); stack.append(.tuple([a, b]))                    // TUPLE2
            case 0x87: let c = try pop(), b = try pop(), a = try pop(); stack.append(.tuple([a, b, c]))  // TUPLE3
            case 0x6C: let list = PickleList(); list.items = try popMark(); stack.append(.list(list))   // LIST
            case 0x64: let dict = PickleDict(); try setItems(dict, try popMark()); stack.append(.dict(dict))  // DICT
            case 0x4E: stack.append(.none)                              // NONE
            case 0x88: stack.append(.bool(true))                        // NEWTRUE
            case 0x89: stack.append(.bool(false))                       // NEWFALSE
            case 0x4B: stack.append(.int(Int(try byte())))              // BININT1
            case 0x4D: stack.append(.int(Int(try uint(2))))             // BININT2
            case 0x4A: stack.append(.int(Int(Int32(bitPattern: UInt32(try uint(4))))))  // BININT
            case 0x8A: stack.append(.int(try long(Int(try byte()))))    // LONG1
            case 0x47:                                                  // BINFLOAT (big-endian)
                let raw = try take(8)
                stack.append(.float(Double(bitPattern: raw.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })))
            case 0x58: stack.append(.string(try text(Int(try uint(4)))))        // BINUNICODE
            case 0x8C: stack.append(.string(try text(Int(try byte()))))         // SHORT_BINUNICODE
            case 0x8D: stack.append(.string(try text(try length(8))))           // BINUNICODE8
            case 0x54: stack.append(.string(try text(Int(try uint(4)))))        // BINSTRING
            case 0x55: stack.append(.string(try text(Int(try byte()))))         // SHORT_BINSTRING
            case 0x42: let n = Int(try uint(4)); _ = try take(n); stack.append(.bytes(n))   // BINBYTES
            case 0x43: let n = Int(try byte()); _ = try take(n); stack.append(.bytes(n))    // SHORT_BINBYTES
            case 0x71: memo[Int(try byte())] = try top()                // BINPUT
            case 0x72: memo[Int(try uint(4))] = try top()               // LONG_BINPUT
            case 0x94: memo[memo.count] = try top()                     // MEMOIZE
            case 0x68: stack.append(try recall(Int(try byte())))        // BINGET
            case 0x6A: stack.append(try recall(Int(try uint(4))))       // LONG_BINGET
            case 0x30: _ = try pop()                                    // POP
            case 0x31: _ = try popMark()                                // POP_MARK
            case 0x32: stack.append(try top())                          // DUP
            case 0x63:                                                  // GLOBAL "module\nname\n"
                let module = try line(), name = try line()
                stack.append(try global(module, name))
            case 0x93:                                                  // STACK_GLOBAL
                let name = try pop(), module = try pop()
                guard case .string(let n) = name, case .string(let m) = module else { throw malformed("STACK_GLOBAL without two strings") }
                stack.append(try global(m, n))
            case 0x51: stack.append(try persistent(try pop()))          // BINPERSID
            case 0x52:                                                  // REDUCE
                let arguments = try pop(), callable = try pop()
                stack.append(try reduce(callable, arguments))
            case 0x81:                                                  // NEWOBJ
                _ = try pop()
                let cls = try pop()
                guard case .global("argparse.Namespace") = cls else { throw malformed("NEWOBJ of \(cls.kind)") }
                stack.append(.record("argparse.Namespace", PickleDict()))
            case 0x62:                                                  // BUILD
                let state = try pop()
                switch (try top(), state) {
                case (.dict, _): break                                  // OrderedDict's _metadata: not needed
                case (.record(_, let fields), .dict(let given)): fields.entries += given.entries
                case (let object, _): throw malformed("BUILD on \(object.kind)")
                }
            case 0x73:                                                  // SETITEM
                let value = try pop(), key = try pop()
                guard case .dict(let dict) = try top() else { throw malformed("SETITEM on something not a dict") }
                dict.entries.append((key, value))
            case 0x75:                                                  // SETITEMS
                let items = try popMark()
                guard case .dict(let dict) = try top() else { throw malformed("SETITEMS on something not a dict") }
                try setItems(dict, items)
            case 0x61:                                                  // APPEND
                let value = try pop()
                guard case .list(let list) = try top() else { throw malformed("APPEND on something not a list") }
                list.items.append(value)
            case 0x65:                                                  // APPENDS
                let items = try popMark()
                guard case .list(let list) = try top() else { throw malformed("APPENDS on something not a list") }
                list.items += items
            default:
                throw EncoderError(path, "\(entry) uses pickle opcode 0x\(String(opcode, radix: 16)) at byte \(position - 1), which a PyTorch state dict does not; herd reads only plain state dicts (re-save the weights with torch.save(model.state_dict(), FILE))")
            }
        }
    }

    // MARK: - Interpreting globals

    private func global(_ module: String, _ name: String) throws -> PickleValue {
        let dotted = "\(module).\(name)"
        guard Self.allowed.contains(dotted) else {
            throw EncoderError(path, "refused: the checkpoint's pickle names the global '\(dotted)', which a state dict never needs (it could run code when loaded by Python); nothing was read or run. herd reads only plain state dicts; if you trust the file, re-save its weights with torch.save(model.state_dict(), FILE)")
        }
        return .global(dotted)
    }

    private func reduce(_ callable: PickleValue, _ arguments: PickleValue) throws -> PickleValue {
        guard case .global(let name) = callable, case .tuple(let args) = arguments else {
            throw malformed("REDUCE of \(callable.kind) with \(arguments.kind)")
        }
        switch name {
        case "collections.OrderedDict":
            guard args.isEmpty else { throw malformed("OrderedDict called with arguments") }
            return .dict(PickleDict())
        case "torch._utils._rebuild_tensor_v2":
            guard args.count >= 4, case .storage(let storage) = args[0], case .int(let offset) = args[1],
                  let shape = integers(args[2]), let strides = integers(args[3]), shape.count == strides.count else {
                throw malformed("_rebuild_tensor_v2 without (storage, offset, size, stride)")
            }
            return .tensor(TensorReference(storage: storage, offset: offset, shape: shape, strides: strides))
        case "torch._utils._rebuild_parameter":
            guard let first = args.first, case .tensor = first else { throw malformed("_rebuild_parameter without a tensor") }
            return first
        default:
            throw malformed("a call of \(name)")
        }
    }

    /// `('storage', torch.XStorage, key, location, numel)` → the storage it names.
    private func persistent(_ id: PickleValue) throws -> PickleValue {
        guard case .tuple(let fields) = id, fields.count >= 5, case .string("storage") = fields[0],
              case .global(let type) = fields[1], case .string(let key) = fields[2], case .int(let elements) = fields[4],
              elements >= 0, let dtype = Self.storageTypes[type] else {
            throw malformed("a persistent id that is not a storage")
        }
        return .storage(StorageReference(key: key, dtype: dtype, elements: elements))
    }

    private func integers(_ value: PickleValue) -> [Int]? {
        guard case .tuple(let items) = value else { return nil }
        var out: [Int] = []
        for item in items {
            guard case .int(let v) = item else { return nil }
            out.append(v)
        }
        return out
    }

    private func setItems(_ dict: PickleDict, _ items: [PickleValue]) throws {
        guard items.count % 2 == 0 else { throw malformed("an odd number of dict items") }
        for i in stride(from: 0, to: items.count, by: 2) { dict.entries.append((items[i], items[i + 1])) }
    }

    // MARK: - Reading

    private func malformed(_ what: String) -> EncoderError {
        EncoderError(path, "\(entry) is not a state dict herd can read (\(what) at byte \(position)); re-save the weights with torch.save(model.state_dict(), FILE)")
    }

    private mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw EncoderError(path, "\(entry) ends before its STOP opcode; the checkpoint is damaged or incomplete, download or copy it again") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func take(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, n <= bytes.count - position else {
            throw EncoderError(path, "\(entry) claims \(n) bytes at byte \(position) but holds \(bytes.count - position) more; the checkpoint is damaged or incomplete, download or copy it again")
        }
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: bytes[position ..< position + n])
    }

    private mutating func uint(_ width: Int) throws -> UInt64 {
        try take(width).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    private mutating func length(_ width: Int) throws -> Int {
        let n = try uint(width)
        guard n <= UInt64(Int.max) else { throw malformed("a length of \(n)") }
        return Int(n)
    }

    /// LONG1: a little-endian two's-complement integer of `n` bytes (at most 8 here).
    private mutating func long(_ n: Int) throws -> Int {
        guard n <= 8 else { throw malformed("an integer of \(n) bytes") }
        let raw = try take(n)
        guard n > 0 else { return 0 }
        var value = raw.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        if n < 8, raw[n - 1] & 0x80 != 0 { value |= ~UInt64(0) << (8 * n) }
        return Int(Int64(bitPattern: value))
    }

    private mutating func text(_ n: Int) throws -> String {
        String(decoding: try take(n), as: UTF8.self)
    }

    private mutating func line() throws -> String {
        var end = position
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        guard end < bytes.count else { throw malformed("an unterminated GLOBAL") }
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position ..< end]), as: UTF8.self)
        position = end + 1
        return value
    }

    private mutating func pop() throws -> PickleValue {
        guard let value = stack.popLast(), stack.count >= (marks.last ?? 0) else { throw malformed("a pop from an empty stack") }
        return value
    }

    private func top() throws -> PickleValue {
        guard let value = stack.last else { throw malformed("an empty stack") }
        return value
    }

    private mutating func popMark() throws -> [PickleValue] {
        guard let mark = marks.popLast(), mark <= stack.count else { throw malformed("a missing MARK") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private func recall(_ index: Int) throws -> PickleValue {
        guard let value = memo[index] else { throw malformed("a memo lookup of \(index) before it was stored") }
        return value
    }
}
