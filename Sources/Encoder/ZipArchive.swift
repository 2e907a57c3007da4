import Foundation

/// The entries of a zip file read from its central directory, over a memory map: PyTorch's checkpoint
/// container (`torch.save` since 1.6) stores every entry uncompressed and 64-byte aligned, so a tensor's
/// bytes are used where they lie in the mapping, without a copy. ZIPFoundation (in the package mirror)
/// extracts an entry by reading it in chunks into a consumer closure with a CRC pass, so each tensor would
/// be copied out and assembled in memory first; a central-directory walk of ~100 lines covers what
/// checkpoints use: stored entries and ZIP64 sizes and offsets.
struct ZipArchive {
    /// One stored entry: where its bytes lie in the file.
    struct Entry {
        var name: String
        var data: Range<Int>
    }

    let file: MappedFile
    /// Entries by name, in central-directory order.
    let entries: [String: Entry]
    let names: [String]

    /// Reads the central directory of `file`; throws naming the file on anything malformed, truncated,
    /// compressed or pointing outside the file.
    init(_ file: MappedFile) throws {
        self.file = file
        let size = file.count
        let path = file.path
        func fail(_ message: String) -> EncoderError {
            EncoderError(path, "\(message); the checkpoint is damaged or incomplete, download or copy it again")
        }
        // End of central directory: 22 bytes plus a comment of at most 65535, at the end of the file.
        var eocd = -1
        var at = size - 22
        while at >= max(0, size - 22 - 65535) {
            if file.le(at, as: UInt32.self) == 0x0605_4b50 { eocd = at; break }
            at -= 1
        }
        guard eocd >= 0 else { throw fail("not a complete zip file (no end-of-central-directory record)") }
        var count = Int(file.le(eocd + 10, as: UInt16.self))
        var directorySize = Int(file.le(eocd + 12, as: UInt32.self))
        var directoryOffset = Int(file.le(eocd + 16, as: UInt32.self))
        // ZIP64: a locator 20 bytes before the end record points at the ZIP64 end record.
        if eocd >= 20, file.le(eocd - 20, as: UInt32.self) == 0x0706_4b50 {
            let record = Int(clamping: file.le(eocd - 20 + 8, as: UInt64.self))
            guard record >= 0, record + 56 <= size, file.le(record, as: UInt32.self) == 0x0606_4b50 else {
                throw fail("its ZIP64 end record lies outside the file")
            }
            count = Int(clamping: file.le(record + 32, as: UInt64.self))
            directorySize = Int(clamping: file.le(record + 40, as: UInt64.self))
            directoryOffset = Int(clamping: file.le(record + 48, as: UInt64.self))
        }
        guard directoryOffset >= 0, directorySize >= 0, directoryOffset <= size, directorySize <= size - directoryOffset,
              count <= directorySize / 46 else {
            throw fail("its central directory (\(directorySize) bytes at \(directoryOffset)) lies outside the \(size)-byte file")
        }
        var entries: [String: Entry] = [:]
        var names: [String] = []
        var cursor = directoryOffset
        let end = directoryOffset + directorySize
        for _ in 0..<count {
            guard cursor + 46 <= end, file.le(cursor, as: UInt32.self) == 0x0201_4b50 else {
                throw fail("its central directory is malformed")
            }
            let method = file.le(cursor + 10, as: UInt16.self)
            var compressed = Int(file.le(cursor + 20, as: UInt32.self))
            var uncompressed = Int(file.le(cursor + 24, as: UInt32.self))
            let nameLength = Int(file.le(cursor + 28, as: UInt16.self))
            let extraLength = Int(file.le(cursor + 30, as: UInt16.self))
            let commentLength = Int(file.le(cursor + 32, as: UInt16.self))
            var local = Int(file.le(cursor + 42, as: UInt32.self))
            let next = cursor + 46 + nameLength + extraLength + commentLength
            guard next <= end else { throw fail("its central directory is malformed") }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: file.bytes[cursor + 46 ..< cursor + 46 + nameLength]), as: UTF8.self)
            // ZIP64 extended information (id 1): the 64-bit values, in this order, of the fields set to 0xFFFFFFFF.
            var extra = cursor + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = file.le(extra, as: UInt16.self), length = Int(file.le(extra + 2, as: UInt16.self))
                if id == 1 {
                    var field = extra + 4
                    func take(_ value: inout Int) {
                        guard value == 0xFFFF_FFFF, field + 8 <= min(extra + 4 + length, extraEnd) else { return }
                        value = Int(clamping: file.le(field, as: UInt64.self))
                        field += 8
                    }
                    take(&uncompressed)
                    take(&compressed)
                    take(&local)
                }
                extra += 4 + length
            }
            guard method == 0 else {
                throw EncoderError(path, "entry '\(name)' is compressed (method \(method)); PyTorch stores checkpoint entries uncompressed, so this is not a checkpoint torch.save wrote — re-save it with torch.save")
            }
            guard local >= 0, local + 30 <= size, file.le(local, as: UInt32.self) == 0x0403_4b50 else {
                throw fail("entry '\(name)' points outside the file")
            }
            let start = local + 30 + Int(file.le(local + 26, as: UInt16.self)) + Int(file.le(local + 28, as: UInt16.self))
            guard compressed == uncompressed, uncompressed >= 0, start <= size, uncompressed <= size - start else {
                throw fail("entry '\(name)' claims \(uncompressed) bytes but the file holds \(max(0, size - start)) after it")
            }
            entries[name] = Entry(name: name, data: start ..< start + uncompressed)
            names.append(name)
            cursor = next
        }
        self.entries = entries
        self.names = names
    }

    /// The bytes of entry `name`, if present.
    func bytes(_ name: String) -> UnsafeRawBufferPointer? {
        entries[name].map { UnsafeRawBufferPointer(rebasing: file.bytes[$0.data]) }
    }
}
