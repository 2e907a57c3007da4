/// How two feature vectors are compared. Stored in index files, so the raw values are fixed.
public enum Metric: UInt8, Sendable, CaseIterable {
    /// 1 − cos(a, b); vectors are L2-normalised when they enter an index.
    case cosine = 1
    /// Squared Euclidean distance ‖a − b‖².
    case l2 = 2

    /// The metric's name as the CLI and files spell it.
    public var name: String {
        switch self {
        case .cosine: "cosine"
        case .l2: "l2"
        }
    }
}

/// One search result: the id of a stored vector and its distance to the query.
public struct Neighbour: Sendable, Equatable {
    /// The caller's id for the vector (for an exact search over a matrix: its row).
    public var id: Int
    /// Distance under the index's metric; smaller is closer.
    public var distance: Float

    /// A result with the given id and distance.
    public init(id: Int, distance: Float) {
        self.id = id
        self.distance = distance
    }
}
