import Tensor

/// The ways herd can cluster a feature matrix, by the names the CLI uses.
public enum ClusteringMethod: String, Sendable, CaseIterable {
    /// herd's default: the TSP head made robust on small sets (Docs/CLUSTERING.md).
    case tsp
    /// The paper's recipe to the letter.
    case tspPaper = "tsp-paper"
    /// k-means++ with restarts on the unit-length features.
    case kmeans

    /// features: [N, D] → a cluster in 0..<clusters for every row; the same seed gives the same answer (on any
    /// pool: the pool only splits products by rows).
    public func cluster(_ features: Tensor, clusters: Int, seed: UInt64, pool: ComputePool = .serial()) throws -> [Int] {
        switch self {
        case .tsp:
            return try RobustTSP(clusters: clusters, seed: seed, pool: pool).fit(features).assignments
        case .tspPaper:
            return try TSPTrainer(configuration: .paper(clusters: clusters, seed: seed), pool: pool).fit(features).assignments
        case .kmeans:
            return try KMeans(k: clusters, seed: seed).fit(ClusterHead.unitRows(features)).assignments
        }
    }
}
