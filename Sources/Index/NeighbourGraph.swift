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

    /// The neighbours of row `i`, closest first.
    public func neighbours(of i: Int) -> [Neighbour] {
        (0..<k).map { Neighbour(id: Int(indices[i * k + $0]), distance: distances[i * k + $0]) }
    }
}
