/// How well a partition keeps neighbours together, without labels: for each cluster, the share of its
/// members' neighbour mass P(j|i) that stays inside it, averaged over all clusters (an empty cluster
/// scores 0). This is the normalised association of the neighbour graph (Shi & Malik): merging two
/// clusters leaves one empty, splitting one cuts its neighbour mass, so both lower the score.
public enum NeighbourAgreement {
    /// assignments: [N] in 0..<clusters, weights over the same N points → score in [0, 1].
    public static func score(_ assignments: [Int], weights: NeighbourWeights, clusters: Int) -> Double {
        precondition(assignments.count == weights.count, "\(assignments.count) assignments for \(weights.count) points")
        var inside = [Double](repeating: 0, count: clusters)
        var size = [Double](repeating: 0, count: clusters)
        let k = weights.k
        for i in 0..<weights.count {
            let c = assignments[i]
            guard c >= 0 && c < clusters else { continue }
            size[c] += 1
            for j in 0..<k where assignments[Int(weights.indices[i * k + j])] == c {
                inside[c] += Double(weights.probabilities[i * k + j])
            }
        }
        var total = 0.0
        for c in 0..<clusters where size[c] > 0 { total += inside[c] / size[c] }
        return total / Double(max(clusters, 1))
    }
}
