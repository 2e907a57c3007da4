/// Every knob of TSP head training. `paper` is the recipe of the paper to the letter;
/// `robust` is herd's default (see Docs/CLUSTERING.md for what each change does, measured).
public struct TSPConfiguration: Sendable, Equatable {
    /// Number of clusters Nc.
    public var clusters: Int
    /// Neighbours per point, K.
    public var neighbours: Int = 20
    /// λ, the weight of the entropy of the mean prediction.
    public var entropyWeight: Float = 3
    /// Adam learning rate.
    public var learningRate: Float = 1e-4
    /// Anchors per step.
    public var batchSize: Int = 256
    /// Passes over the anchors.
    public var epochs: Int = 100
    /// Run at least this many optimiser steps, adding epochs on small sets (0: the paper's fixed epochs).
    public var minimumSteps: Int = 0
    /// Logits are divided by this (1: the paper).
    public var temperature: Float = 1
    /// Heads trained from different k-means seeds; the one with the lowest final loss is kept.
    public var heads: Int = 1
    /// The cluster proportions the entropy term pulls towards.
    public var sizePrior: SizePrior = .uniform
    /// k-means restarts for the initialisation.
    public var kmeansRestarts: Int = 10
    /// Seed for k-means, anchor order and neighbour sampling.
    public var seed: UInt64 = 0

    /// A configuration with the paper's values for every knob.
    public init(clusters: Int, seed: UInt64 = 0) {
        self.clusters = clusters
        self.seed = seed
    }

    /// The paper's recipe: K = 20, λ = 3, Adam lr 1e-4, batch 256, 100 epochs, one head, τ = 1.
    public static func paper(clusters: Int, seed: UInt64 = 0) -> TSPConfiguration {
        TSPConfiguration(clusters: clusters, seed: seed)
    }

    /// Where the entropy term pulls the mean prediction.
    public enum SizePrior: Sendable, Equatable {
        /// Equal clusters: the paper's H(q).
        case uniform
        /// The cluster proportions of the k-means initialisation (add-one smoothed): −KL(q‖π).
        case kmeans
    }

    /// Optimiser steps for `count` points: the epochs' steps, raised to `minimumSteps`.
    public func steps(for count: Int) -> Int {
        let perEpoch = (count + batchSize - 1) / max(batchSize, 1)
        return max(epochs * perEpoch, minimumSteps)
    }
}
