import Foundation
import Tensor

/// Hierarchical navigable small-world graph (Malkov & Yashunin), laid out as hnswlib does:
/// flat arrays indexed by slot, seeded levels, tombstone deletes whose slots new inserts reuse.
public struct HNSWIndex: NeighbourSearch {
    /// Length of every stored vector.
    public let dimension: Int
    /// How vectors are compared.
    public let metric: Metric
    /// Links per node on levels above 0 (level 0 keeps up to 2m).
    public let m: Int
    /// Candidate list size while inserting; larger builds slower and finds better links.
    public let efConstruction: Int
    /// Candidate list size for `search(_:k:)`; raise it for recall, lower it for speed.
    public var efSearch: Int

    var rng: SplitMix64
    /// [slots, dimension] vectors, unit length for cosine.
    var vectors: [Float] = []
    /// slot → caller id.
    var labels: [Int64] = []
    /// slot → top level of the node.
    var levels: [Int32] = []
    /// slot → 1 when deleted (a tombstone: still a routing node, never a result).
    var deleted: [UInt8] = []
    /// [slots, 1 + 2m]: per slot, the link count then the level-0 links.
    var level0: [Int32] = []
    /// slot → [levels[slot], 1 + m]: per level above 0, the link count then the links.
    var upper: [[Int32]] = []
    /// Deleted slots, reused last-deleted first.
    var freeSlots: [Int32] = []
    var slotOfID: [Int64: Int32] = [:]
    var entryPoint: Int32 = -1
    var maxLevel: Int32 = -1
    var scratch = Scratch()

    /// An empty index. `seed` fixes the node levels, so the same inserts build the same graph.
    public init(dimension: Int, metric: Metric, m: Int = 16, efConstruction: Int = 200, efSearch: Int = 64, seed: UInt64 = 0) {
        precondition(dimension > 0 && m >= 2 && efConstruction >= 1, "HNSW dimension \(dimension), m \(m), efConstruction \(efConstruction)")
        self.dimension = dimension
        self.metric = metric
        self.m = m
        self.efConstruction = efConstruction
        self.efSearch = efSearch
        self.rng = SplitMix64(seed: seed)
    }

    var maxM0: Int { 2 * m }
    var stride0: Int { 1 + maxM0 }
    var strideUpper: Int { 1 + m }
    /// Slots in use or deleted.
    var slots: Int { labels.count }

    /// Number of live vectors.
    public var count: Int { slotOfID.count }

    /// Whether a live vector has this id.
    public func contains(id: Int) -> Bool { slotOfID[Int64(id)] != nil }

    /// Bytes held per stored slot by vectors and links (excluding the id map).
    public var bytesPerVector: Double {
        guard slots > 0 else { return 0 }
        let upperInts = upper.reduce(0) { $0 + $1.count }
        let bytes = vectors.count * 4 + labels.count * 8 + levels.count * 4 + deleted.count + level0.count * 4 + upperInts * 4
        return Double(bytes) / Double(slots)
    }

    /// The k live vectors nearest to `query`, closest first, searching with `efSearch`.
    public func search(_ query: [Float], k: Int) throws -> [Neighbour] {
        var s = Scratch()
        return try search(query, k: k, ef: efSearch, scratch: &s)
    }

    /// The k live vectors nearest to `query`, with candidate list `ef` and the caller's working memory.
    public func search(_ query: [Float], k: Int, ef: Int, scratch s: inout Scratch) throws -> [Neighbour] {
        try validate(query)
        guard k > 0, entryPoint >= 0 else { return [] }
        let q = prepared(query)
        return q.withUnsafeBufferPointer { qp in
            guard let qb = qp.baseAddress else { return [] }
            var cur = entryPoint
            var curDist = distance(qb, cur)
            var level = Int(maxLevel)
            while level > 0 {
                (cur, curDist) = greedy(qb, from: cur, distance: curDist, level: level, scratch: &s)
                level -= 1
            }
            searchLayer(qb, entry: cur, entryDistance: curDist, ef: max(ef, k), level: 0, skipDeleted: true, scratch: &s)
            var found: [Neighbour] = []
            found.reserveCapacity(s.results.count)
            while !s.results.isEmpty {
                found.append(Neighbour(id: Int(labels[Int(s.results.topSlot)]), distance: s.results.topKey))
                s.results.pop()
            }
            found.reverse()
            return Array(found.prefix(k))
        }
    }

    /// Deletes the vector with `id`: it stays a routing node until an insert reuses its slot.
    @discardableResult
    public mutating func remove(id: Int) -> Bool {
        guard let slot = slotOfID.removeValue(forKey: Int64(id)) else { return false }
        deleted[Int(slot)] = 1
        freeSlots.append(slot)
        return true
    }

    /// Distance from q: [dimension] to the vector in `slot`.
    @inline(__always)
    func distance(_ q: UnsafePointer<Float>, _ slot: Int32) -> Float {
        vectors.withUnsafeBufferPointer { vp in
            VectorKernels.distance(metric, q, vp.baseAddress.unsafelyUnwrapped + Int(slot) * dimension, dimension)
        }
    }

    /// Copies the links of `slot` at `level` into `out`.
    @inline(__always)
    func links(of slot: Int32, level: Int, into out: inout [Int32]) {
        out.removeAll(keepingCapacity: true)
        if level == 0 {
            let base = Int(slot) * stride0
            let n = Int(level0[base])
            for i in 0..<n { out.append(level0[base + 1 + i]) }
        } else {
            let list = upper[Int(slot)]
            let base = (level - 1) * strideUpper
            let n = Int(list[base])
            for i in 0..<n { out.append(list[base + 1 + i]) }
        }
    }

    /// Greedy walk on `level` from `start` towards q: returns the closest node it reaches and its distance.
    func greedy(_ q: UnsafePointer<Float>, from start: Int32, distance startDistance: Float, level: Int, scratch s: inout Scratch) -> (Int32, Float) {
        var cur = start, curDist = startDistance
        var changed = true
        while changed {
            changed = false
            links(of: cur, level: level, into: &s.links)
            for n in s.links {
                let d = distance(q, n)
                if d < curDist {
                    cur = n
                    curDist = d
                    changed = true
                }
            }
        }
        return (cur, curDist)
    }

    /// Best-first search on `level` from one entry: leaves up to ef nearest in `s.results` (a max-heap).
    /// With `skipDeleted`, tombstones are walked through but never kept as results.
    func searchLayer(_ q: UnsafePointer<Float>, entry: Int32, entryDistance: Float, ef: Int, level: Int, skipDeleted: Bool, scratch s: inout Scratch) {
        s.begin(slots: slots)
        let epoch = s.epoch
        s.marks[Int(entry)] = epoch
        var lowerBound = Float.infinity
        if !(skipDeleted && deleted[Int(entry)] != 0) {
            s.results.push(entryDistance, entry)
            lowerBound = entryDistance
        }
        s.candidates.push(-entryDistance, entry)
        vectors.withUnsafeBufferPointer { vp in
            level0.withUnsafeBufferPointer { lp in
                deleted.withUnsafeBufferPointer { dp in
                    let vb = vp.baseAddress.unsafelyUnwrapped, lb = lp.baseAddress.unsafelyUnwrapped
                    while !s.candidates.isEmpty {
                        let cDist = -s.candidates.topKey, c = s.candidates.topSlot
                        if cDist > lowerBound && s.results.count >= ef { break }
                        s.candidates.pop()
                        let n: Int
                        if level == 0 {
                            let base = lb + Int(c) * stride0
                            n = Int(base[0])
                            s.links.removeAll(keepingCapacity: true)
                            for i in 0..<n { s.links.append(base[1 + i]) }
                        } else {
                            links(of: c, level: level, into: &s.links)
                            n = s.links.count
                        }
                        for i in 0..<n {
                            let nb = s.links[i]
                            if s.marks[Int(nb)] == epoch { continue }
                            s.marks[Int(nb)] = epoch
                            let d = VectorKernels.distance(metric, q, vb + Int(nb) * dimension, dimension)
                            if s.results.count < ef || d < lowerBound {
                                s.candidates.push(-d, nb)
                                if !(skipDeleted && dp[Int(nb)] != 0) { s.results.push(d, nb) }
                                if s.results.count > ef { s.results.pop() }
                                if !s.results.isEmpty { lowerBound = s.results.topKey }
                            }
                        }
                    }
                }
            }
        }
    }
}
