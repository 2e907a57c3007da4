/// Keeps the k smallest (distance, id) pairs seen so far in caller-owned buffers.
/// A max-heap on distance: the root is the worst kept pair, so most candidates are rejected by one compare.
@usableFromInline
struct TopK {
    @usableFromInline let k: Int
    @usableFromInline let dist: UnsafeMutablePointer<Float>
    @usableFromInline let ids: UnsafeMutablePointer<Int32>
    @usableFromInline var size = 0

    /// A selector writing into dist: [k] and ids: [k].
    @inlinable
    init(k: Int, dist: UnsafeMutablePointer<Float>, ids: UnsafeMutablePointer<Int32>) {
        self.k = k
        self.dist = dist
        self.ids = ids
    }

    /// The largest kept distance, or +∞ while fewer than k are kept.
    @inlinable
    var bound: Float { size < k ? .infinity : dist[0] }

    /// Offers a candidate; ties on distance prefer the smaller id, so results do not depend on order.
    @inlinable
    mutating func offer(_ d: Float, _ id: Int32) {
        if size < k {
            var i = size
            size += 1
            while i > 0 {
                let parent = (i - 1) / 2
                if !worse(d, id, than: dist[parent], ids[parent]) { break }
                dist[i] = dist[parent]
                ids[i] = ids[parent]
                i = parent
            }
            dist[i] = d
            ids[i] = id
            return
        }
        guard worse(dist[0], ids[0], than: d, id) else { return }
        var i = 0
        while true {
            let l = 2 * i + 1
            if l >= k { break }
            var c = l
            if l + 1 < k && worse(dist[l + 1], ids[l + 1], than: dist[l], ids[l]) { c = l + 1 }
            if !worse(dist[c], ids[c], than: d, id) { break }
            dist[i] = dist[c]
            ids[i] = ids[c]
            i = c
        }
        dist[i] = d
        ids[i] = id
    }

    @inlinable
    func worse(_ d1: Float, _ i1: Int32, than d2: Float, _ i2: Int32) -> Bool {
        d1 > d2 || (d1 == d2 && i1 > i2)
    }

    /// Sorts the kept pairs ascending in place (heap order is lost).
    @inlinable
    func sortAscending() {
        var pairs = (0..<size).map { (dist[$0], ids[$0]) }
        pairs.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        for (i, p) in pairs.enumerated() {
            dist[i] = p.0
            ids[i] = p.1
        }
    }
}
