import Foundation
import Tensor

extension HNSWIndex {
    /// First bytes of an index file.
    static let magic: [UInt8] = Array("HERDHNSW".utf8)
    /// The format version this build writes and reads.
    public static let formatVersion: UInt32 = 1

    /// The index as file bytes: magic, version, header, flat arrays, then a checksum of all before it.
    public func serialised() -> [UInt8] {
        var w = ByteWriter()
        w.bytes.append(contentsOf: Self.magic)
        w.put(Self.formatVersion)
        w.put(UInt32(metric.rawValue))
        w.put(UInt32(dimension))
        w.put(UInt32(m))
        w.put(UInt32(efConstruction))
        w.put(UInt32(efSearch))
        w.put(UInt64(slots))
        w.put(UInt64(freeSlots.count))
        w.put(entryPoint)
        w.put(maxLevel)
        w.put(rng.state)
        w.put(array: vectors)
        w.put(array: labels)
        w.put(array: levels)
        w.put(array: deleted)
        w.put(array: level0)
        for list in upper where !list.isEmpty { w.put(array: list) }
        w.put(array: freeSlots)
        w.put(checksum64(w.bytes[...]))
        return w.bytes
    }

    /// Saves the index to `path` atomically (temporary file, fsync, rename).
    public func save(to path: String) throws {
        do {
            try AtomicFile.write(serialised(), to: path)
        } catch let error as TensorFileError {
            throw IndexError(.io, path: error.path, error.message)
        }
    }

    /// Loads an index saved by `save(to:)`; refuses foreign, newer, truncated or corrupt files.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IndexError(.io, path: path, "cannot read the index file (missing or unreadable)")
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    /// Parses index file bytes; `path` only names the source in errors.
    public init(bytes: [UInt8], path: String) throws {
        var r = ByteReader(bytes: bytes, path: path)
        let rebuild = "delete it and herd rebuilds the index"
        guard bytes.count >= 12, Array(bytes[0..<8]) == Self.magic else {
            throw IndexError(.notAnIndexFile, path: path, "not a herd HNSW index file (wrong magic); point herd at its own index file or \(rebuild)")
        }
        _ = try r.take(8)
        let version = try r.get(UInt32.self)
        guard version == Self.formatVersion else {
            throw IndexError(.unsupportedVersion, path: path, "index format version \(version), this herd reads version \(Self.formatVersion); \(rebuild)")
        }
        guard bytes.count >= 8 + 8 else { throw IndexError(.truncated, path: path, "the index file is truncated; \(rebuild)") }
        let rawMetric = try r.get(UInt32.self)
        guard let metric = Metric(rawValue: UInt8(truncatingIfNeeded: rawMetric)), rawMetric < 256 else {
            throw IndexError(.corrupt, path: path, "unknown metric \(rawMetric) in the index file; \(rebuild)")
        }
        let dimension = Int(try r.get(UInt32.self)), m = Int(try r.get(UInt32.self))
        let efConstruction = Int(try r.get(UInt32.self)), efSearch = Int(try r.get(UInt32.self))
        let slotCount = try r.get(UInt64.self), freeCount = try r.get(UInt64.self)
        guard dimension > 0, dimension <= 1 << 16, m >= 2, m <= 1 << 10, efConstruction >= 1,
              slotCount < 1 << 40, freeCount <= slotCount else {
            throw IndexError(.corrupt, path: path, "the index header is inconsistent; \(rebuild)")
        }
        self.init(dimension: dimension, metric: metric, m: m, efConstruction: efConstruction, efSearch: efSearch)
        let n = Int(slotCount)
        entryPoint = try r.get(Int32.self)
        maxLevel = try r.get(Int32.self)
        rng = SplitMix64(seed: try r.get(UInt64.self))
        vectors = try r.get(array: Float.self, count: n * dimension)
        labels = try r.get(array: Int64.self, count: n)
        levels = try r.get(array: Int32.self, count: n)
        deleted = try r.get(array: UInt8.self, count: n)
        level0 = try r.get(array: Int32.self, count: n * stride0)
        upper = []
        upper.reserveCapacity(n)
        for l in levels {
            guard l >= 0, l <= 30 else { throw IndexError(.corrupt, path: path, "a node level is out of range; \(rebuild)") }
            upper.append(l > 0 ? try r.get(array: Int32.self, count: Int(l) * strideUpper) : [])
        }
        freeSlots = try r.get(array: Int32.self, count: Int(freeCount))
        let body = r.offset
        let stored = try r.get(UInt64.self)
        guard r.offset == bytes.count else {
            throw IndexError(.corrupt, path: path, "the index file has \(bytes.count - r.offset) unexpected trailing bytes; \(rebuild)")
        }
        guard stored == checksum64(bytes[0..<body]) else {
            throw IndexError(.corrupt, path: path, "the index file's checksum does not match (damaged on disk); \(rebuild)")
        }
        try validateStructure(path: path)
        for (slot, label) in labels.enumerated() where deleted[slot] == 0 { slotOfID[label] = Int32(slot) }
    }

    /// Checks link counts, link targets, the entry point and the free list, so a bad file cannot crash a search.
    func validateStructure(path: String) throws {
        let bad = IndexError(.corrupt, path: path, "the index graph is inconsistent; delete it and herd rebuilds the index")
        let n = Int32(slots)
        guard (n == 0 && entryPoint == -1 && maxLevel == -1) || (entryPoint >= 0 && entryPoint < n && levels[Int(entryPoint)] == maxLevel) else { throw bad }
        for slot in 0..<slots {
            let c = Int(level0[slot * stride0])
            guard c >= 0, c <= maxM0 else { throw bad }
            for i in 0..<c where level0[slot * stride0 + 1 + i] < 0 || level0[slot * stride0 + 1 + i] >= n { throw bad }
            for l in 0..<Int(levels[slot]) {
                let list = upper[slot], base = l * strideUpper
                let c = Int(list[base])
                guard c >= 0, c <= m else { throw bad }
                for i in 0..<c {
                    let t = list[base + 1 + i]
                    guard t >= 0, t < n, levels[Int(t)] > l else { throw bad }
                }
            }
        }
        for f in freeSlots where f < 0 || f >= n || deleted[Int(f)] == 0 { throw bad }
    }
}
