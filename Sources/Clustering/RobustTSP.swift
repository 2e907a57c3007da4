import Index
import Tensor

/// herd's default clustering: the TSP head with the changes measured in Docs/CLUSTERING.md.
public struct RobustTSP: Sendable {
    /// The training configuration used.
    public var configuration: TSPConfiguration

    /// The default configuration for `clusters` clusters.
    public init(clusters: Int, seed: UInt64 = 0) {
        var cfg = TSPConfiguration.paper(clusters: clusters, seed: seed)
        cfg.learningRate = 1e-3
        cfg.minimumSteps = 5000
        configuration = cfg
    }

    /// features: [N, D] → the trained head and its assignments.
    public func fit(_ features: Tensor) throws -> TSPResult {
        try TSPTrainer(configuration: configuration).fit(features)
    }
}
