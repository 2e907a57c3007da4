import Index
import Tensor

/// herd's default clustering (`--method tsp`): the TSP head with the changes measured in
/// Docs/CLUSTERING.md. Against the paper's recipe it trains with lr 3e-3 for at least 5,000 steps
/// (small sets otherwise barely leave the initialisation), trains 3 heads from different k-means
/// seeds and keeps the one whose partition best keeps neighbours together, and falls back to the
/// untrained k-means head when that keeps neighbours together better than the chosen head (which
/// protects uneven libraries from the entropy term's pull towards equal clusters, and sets where the
/// neighbours say nothing the centroids do not) only when the k-means partition keeps neighbours together
/// better both per cluster (agreement) and against chance for its cluster sizes (modularity). Both choices are
/// judged on held-out neighbours: ranks K..<3K, which no head was trained on.
public struct RobustTSP: Sendable {
    /// Training configuration of every head.
    public var configuration: TSPConfiguration
    /// Pick among heads (and k-means) by neighbour agreement; false: by final loss, as SCAN does.
    public var selectByAgreement = true
    /// Keep the k-means partition when it keeps neighbours together better than every head.
    public var guardAgainstKMeans = true
    /// The guard falls back only when k-means wins on modularity as well as on agreement; false: on agreement alone.
    public var guardOnModularityToo = true
    /// Judge agreement on the held-out neighbours (ranks K..<3K); false: on the K neighbours trained on.
    public var judgeOnHeldOutNeighbours = true
    /// Points whose head probability is below this keep their k-means cluster (nil: the head decides all).
    public var confidenceFloor: Float? = nil
    /// Train the chosen head further on its confident points (nil: no self-labelling).
    public var selfLabelling: SelfLabelling? = nil
    /// Where the neighbour search and the heads' products run.
    public var pool: ComputePool

    /// How much wider than the training neighbourhood the graph is: ranks K..<3K are the held-out ones.
    public static let heldOutFactor = 3

    /// The default configuration for `clusters` clusters, run on `pool` (serial unless given).
    public init(clusters: Int, seed: UInt64 = 0, pool: ComputePool = .serial()) {
        self.pool = pool
        var cfg = TSPConfiguration.paper(clusters: clusters, seed: seed)
        cfg.learningRate = 3e-3
        cfg.minimumSteps = 5000
        cfg.heads = 3
        configuration = cfg
    }

    /// Neighbours per point the graph given to `fit(_:graph:)` should have: K to train on and the held-out rest.
    public var graphNeighbours: Int { configuration.neighbours * Self.heldOutFactor }

    /// features: [N, D] → the chosen head and its assignments (or the untrained k-means head, see above);
    /// neighbours by exact search.
    public func fit(_ features: Tensor) throws -> TSPResult {
        try check(features, rows: features.rows)
        let cfg = configuration
        let x = ClusterHead.unitRows(features)
        let graph = ExactSearch.graph(x, k: min(graphNeighbours, x.rows - 1), metric: .cosine, pool: pool)
        let judge = PartitionJudge(graph: graph, trained: cfg.neighbours, clusters: cfg.clusters, heldOut: judgeOnHeldOutNeighbours)
        var single = cfg
        single.heads = 1
        var master = SplitMix64(seed: cfg.seed)
        var candidates: [TSPResult] = []
        for _ in 0..<max(1, cfg.heads) {
            single.seed = master.next()
            candidates.append(try TSPTrainer(configuration: single, pool: pool).fit(x, weights: judge.weights))
        }
        return try choose(candidates, x: x, judge: judge)
    }

    /// features: [N, D] → as `fit(_:)`, with neighbours given (e.g. from an approximate index; ideally
    /// `graphNeighbours` a row, the first K of which are trained on) instead of an exact search, and training
    /// in chunks of at most `chunk` steps: `shouldStop` is asked between chunks and ends training early with the
    /// heads so far (a shutdown does not wait for a whole training).
    public func fit(_ features: Tensor, graph: NeighbourGraph, chunk: Int = 500, shouldStop: () -> Bool = { false }) throws -> TSPResult {
        try check(features, rows: graph.count)
        let cfg = configuration
        let x = ClusterHead.unitRows(features)
        let judge = PartitionJudge(graph: graph, trained: cfg.neighbours, clusters: cfg.clusters, heldOut: judgeOnHeldOutNeighbours)
        var master = SplitMix64(seed: cfg.seed)
        var candidates: [TSPResult] = []
        for _ in 0..<max(1, cfg.heads) {
            if !candidates.isEmpty && shouldStop() { break }
            // As TSPTrainer.fit: k-means initialisation (appendix A), then the loss of eq. 5 — here in chunks.
            var seeds = SplitMix64(seed: master.next())
            let kmeans = try KMeans(k: cfg.clusters, restarts: cfg.kmeansRestarts, seed: seeds.next()).fit(x)
            var rng = SplitMix64(seed: seeds.next())
            let start = ClusterHead(centres: kmeans.centres, temperature: cfg.temperature)
            let prior = cfg.sizePrior == .kmeans ? TSPTrainer.proportions(kmeans.assignments, clusters: cfg.clusters) : nil
            let (head, loss) = TSPTrainer.trainInChunks(
                start, configuration: cfg, pool: pool, features: x, weights: judge.weights, prior: prior, rng: &rng, chunk: chunk,
                shouldStop: shouldStop)
            candidates.append(TSPResult(head: head, assignments: head.assign(x), finalLoss: loss, initialHead: start, initialAssignments: start.assign(x)))
        }
        return try choose(candidates, x: x, judge: judge)
    }

    func check(_ features: Tensor, rows: Int) throws {
        let cfg = configuration
        guard features.rank == 2, features.rows > cfg.clusters, cfg.clusters >= 2, rows == features.rows else {
            throw ClusteringError("the TSP head needs more points than clusters, at least 2 clusters and one neighbour row per point: \(features.rows) points, \(cfg.clusters) clusters, \(rows) neighbour rows")
        }
    }

    /// The head to keep among `candidates` (trained heads on unit rows x), then the confidence consensus and the
    /// guard against its k-means start.
    func choose(_ candidates: [TSPResult], x: Tensor, judge: PartitionJudge) throws -> TSPResult {
        var best: (result: TSPResult, score: Double)?
        for result in candidates {
            let score = selectByAgreement ? judge.score(result.assignments) : -Double(result.finalLoss)
            if let b = best, b.score >= score { continue }
            best = (result, score)
        }
        guard var chosen = best?.result else { throw ClusteringError("no head was trained") }
        let clusters = configuration.clusters
        if let selfLabelling, chosen.head != chosen.initialHead {
            chosen.head = selfLabelling.train(chosen.head, features: x)
            chosen.assignments = chosen.head.assign(x)
        }
        if let floor = confidenceFloor, chosen.head != chosen.initialHead {
            chosen.assignments = Self.consensus(head: chosen.head, x: x, start: chosen.initialAssignments, floor: floor, clusters: clusters)
        }
        if guardAgainstKMeans && judge.prefers(chosen.initialAssignments, over: chosen.assignments, modularityToo: guardOnModularityToo) {
            chosen.head = chosen.initialHead
            chosen.assignments = chosen.initialAssignments
        }
        return chosen
    }

    /// x: [N, D] unit rows → the head's cluster where its probability reaches `floor`, else the k-means
    /// cluster; head clusters are first renamed to the k-means clusters they overlap most.
    static func consensus(head: ClusterHead, x: Tensor, start: [Int], floor: Float, clusters: Int) -> [Int] {
        let p = head.probabilities(x)
        let own = head.assign(x)
        let names = ClusterMatching.stableIDs(previous: start, current: own, clusters: clusters)
        return own.indices.map { i in
            p.data[i * clusters + own[i]] >= floor && names[own[i]] < clusters ? names[own[i]] : start[i]
        }
    }
}
