/// A mutable set of vectors keyed by caller ids that answers k-nearest-neighbour queries.
/// Two implementations: `FlatIndex` (exact, for small libraries and as the oracle) and `HNSWIndex`.
public protocol NeighbourSearch: Sendable {
    /// Length of every stored vector.
    var dimension: Int { get }
    /// How vectors are compared.
    var metric: Metric { get }
    /// Number of live (not deleted) vectors.
    var count: Int { get }
    /// Whether a live vector has this id.
    func contains(id: Int) -> Bool
    /// Stores `vector` under `id`, replacing any vector that id had.
    mutating func insert(id: Int, vector: [Float]) throws
    /// Deletes the vector with `id`; false when there was none.
    @discardableResult mutating func remove(id: Int) -> Bool
    /// The k live vectors nearest to `query`, closest first.
    func search(_ query: [Float], k: Int) throws -> [Neighbour]
}

extension NeighbourSearch {
    /// Throws unless `vector` has the index's dimension and only finite values.
    func validate(_ vector: [Float]) throws {
        guard vector.count == dimension else {
            throw IndexError(.dimensionMismatch, "vector has \(vector.count) values but the index holds \(dimension)-dimensional vectors; features from another model need a new index")
        }
        guard vector.allSatisfy({ $0.isFinite }) else {
            throw IndexError(.invalidVector, "vector holds NaN or infinity; re-encode the photo")
        }
    }

    /// The vector as stored: unit length for cosine, unchanged for l2.
    func prepared(_ vector: [Float]) -> [Float] {
        guard metric == .cosine else { return vector }
        var v = vector
        VectorKernels.normaliseRows(&v, dimension: dimension)
        return v
    }
}
