/// Exact search over a flat array of vectors: tombstone deletes with slots reused, brute-force queries.
public struct FlatIndex: NeighbourSearch {
    /// Length of every stored vector.
    public let dimension: Int
    /// How vectors are compared.
    public let metric: Metric
    /// [slots, dimension] stored vectors (unit length for cosine).
    var vectors: [Float] = []
    /// slot → caller id, or nil for a deleted slot.
    var ids: [Int?] = []
    var slotOfID: [Int: Int] = [:]
    var freeSlots: [Int] = []

    /// An empty index for `dimension`-long vectors compared by `metric`.
    public init(dimension: Int, metric: Metric) {
        precondition(dimension > 0, "dimension must be positive")
        self.dimension = dimension
        self.metric = metric
    }

    /// Number of live vectors.
    public var count: Int { slotOfID.count }

    /// Whether a live vector has this id.
    public func contains(id: Int) -> Bool { slotOfID[id] != nil }

    /// Stores `vector` under `id`, replacing any vector that id had; reuses deleted slots.
    public mutating func insert(id: Int, vector: [Float]) throws {
        try validate(vector)
        remove(id: id)
        let v = prepared(vector)
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            vectors.replaceSubrange(slot * dimension ..< (slot + 1) * dimension, with: v)
            ids[slot] = id
        } else {
            slot = ids.count
            vectors.append(contentsOf: v)
            ids.append(id)
        }
        slotOfID[id] = slot
    }

    /// Deletes the vector with `id`; false when there was none.
    @discardableResult
    public mutating func remove(id: Int) -> Bool {
        guard let slot = slotOfID.removeValue(forKey: id) else { return false }
        ids[slot] = nil
        freeSlots.append(slot)
        return true
    }

    /// The k live vectors nearest to `query`, closest first (ties by id).
    public func search(_ query: [Float], k: Int) throws -> [Neighbour] {
        try validate(query)
        let q = prepared(query)
        var out: [Neighbour] = []
        vectors.withUnsafeBufferPointer { vp in
            q.withUnsafeBufferPointer { qp in
                guard let vb = vp.baseAddress, let qb = qp.baseAddress else { return }
                for (slot, id) in ids.enumerated() {
                    guard let id else { continue }
                    out.append(Neighbour(id: id, distance: VectorKernels.distance(metric, qb, vb + slot * dimension, dimension)))
                }
            }
        }
        out.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.id < $1.id) }
        return Array(out.prefix(max(0, k)))
    }
}
