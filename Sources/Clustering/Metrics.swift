import Foundation

/// External clustering scores, defined as scikit-learn defines them (checked against it in the tests).
public enum Metrics {
    /// Clustering accuracy: the fraction of points whose cluster maps to their class under the best
    /// one-to-one mapping (Hungarian). With more clusters than classes the unmatched clusters count as wrong.
    public static func accuracy(truth: [Int], predicted: [Int]) -> Double {
        guard !truth.isEmpty else { return 1 }
        let c = Contingency(truth: truth, predicted: predicted)
        let cost = c.table.map { $0.map { -Double($0) } }
        var hits = 0
        for (i, j) in Hungarian.assign(cost: cost).enumerated() {
            if let j { hits += c.table[i][j] }
        }
        return Double(hits) / Double(truth.count)
    }

    /// Normalised mutual information, arithmetic mean of the two entropies (scikit-learn's default).
    public static func normalisedMutualInformation(truth: [Int], predicted: [Int]) -> Double {
        let c = Contingency(truth: truth, predicted: predicted)
        let classes = c.table.count, clusters = c.table.first?.count ?? 0
        if (classes == 1 && clusters == 1) || (classes == 0 && clusters == 0) { return 1 }
        let n = Double(c.total)
        let a = c.classSizes.map(Double.init), b = c.clusterSizes.map(Double.init)
        var mi = 0.0
        for i in 0..<classes {
            for j in 0..<clusters where c.table[i][j] > 0 {
                let nij = Double(c.table[i][j])
                mi += nij / n * (log(nij) + log(n) - log(a[i]) - log(b[j]))
            }
        }
        mi = max(0, mi)
        if mi == 0 { return 0 }
        let entropy: ([Double]) -> Double = { sizes in
            -sizes.filter { $0 > 0 }.reduce(0) { $0 + $1 / n * log($1 / n) }
        }
        let normaliser = max((entropy(a) + entropy(b)) / 2, Double.ulpOfOne)
        return mi / normaliser
    }

    /// Adjusted Rand index, through the pair confusion matrix as scikit-learn computes it.
    public static func adjustedRandIndex(truth: [Int], predicted: [Int]) -> Double {
        let c = Contingency(truth: truth, predicted: predicted)
        let n = Double(c.total)
        let sumSquares = c.table.reduce(0.0) { $0 + $1.reduce(0.0) { $0 + Double($1) * Double($1) } }
        let classSquares = c.classSizes.reduce(0.0) { $0 + Double($1) * Double($1) }
        let clusterSquares = c.clusterSizes.reduce(0.0) { $0 + Double($1) * Double($1) }
        let tp = sumSquares - n
        let fp = clusterSquares - sumSquares
        let fn = classSquares - sumSquares
        let tn = n * n - fp - fn - sumSquares
        if fn == 0 && fp == 0 { return 1 }
        return 2 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))
    }
}

/// ACC, NMI and ARI of one clustering against known classes.
public struct Scores: Sendable, Equatable, Codable {
    /// Clustering accuracy under the best one-to-one mapping.
    public var accuracy: Double
    /// Normalised mutual information.
    public var nmi: Double
    /// Adjusted Rand index.
    public var ari: Double

    /// The three scores of `predicted` against `truth`.
    public init(truth: [Int], predicted: [Int]) {
        accuracy = Metrics.accuracy(truth: truth, predicted: predicted)
        nmi = Metrics.normalisedMutualInformation(truth: truth, predicted: predicted)
        ari = Metrics.adjustedRandIndex(truth: truth, predicted: predicted)
    }
}
