/// The K nearest neighbours of every row of a matrix, as flat arrays.
/// Row i's neighbours are `indices[i*k ..< (i+1)*k]`, closest first; a row never lists itself.
public struct NeighbourGraph: Sendable, Equatable {
    /// Rows in the graph.
    public var count: Int
    /// Neighbours per row.
    public var k: Int
    /// [count, k] neighbour rows, closest first.
    public var indices: [Int32]
    /// [count, k] distances under `metric`, ascending per row.
    public var distances: [Float]
    /// The metric the distances are measured in.
    public var metric: Metric

    /// A graph over flat arrays; the array sizes must equal count·k (programmer error otherwise).
    public init(count: Int, k: Int, indices: [Int32], distances: [Float], metric: Metric) {
        precondition(indices.count == count * k && distances.count == count * k, "graph [\(count), \(k)]")
        self.count = count
        self.k = k
        self.indices = indices
        self.distances = distances
        self.metric = metric
    }

    /// The first `k` neighbours of every row (the whole graph when it has no more than `k`).
    public func prefix(_ k: Int) -> NeighbourGraph {
        guard k < self.k else { return self }
        let kept = max(k, 0)
        var idx = [Int32](), dist = [Float]()
        idx.reserveCapacity(count * kept)
        dist.reserveCapacity(count * kept)
        for i in 0..<count {
            idx += indices[i * self.k ..< i * self.k + kept]
            dist += distances[i * self.k ..< i * self.k + kept]
        }
        return NeighbourGraph(count: count, k: kept, indices: idx, distances: dist, metric: metric)
    }

    /// The neighbours of row `i`, closest first.
    public func neighbours(of i: Int) -> [Neighbour] {
        (0..<k).map { Neighbour(id: Int(indices[i * k + $0]), distance: distances[i * k + $0]) }
    }
}
