/// Counts of (true class, predicted cluster) pairs over compacted label values.
struct Contingency {
    /// [classes][clusters] co-occurrence counts.
    var table: [[Int]]
    /// Points counted.
    var total: Int
    var classSizes: [Int] { table.map { $0.reduce(0, +) } }
    var clusterSizes: [Int] {
        guard let width = table.first?.count else { return [] }
        return (0..<width).map { j in table.reduce(0) { $0 + $1[j] } }
    }

    /// truth: [N], predicted: [N], any integer values.
    init(truth: [Int], predicted: [Int]) {
        precondition(truth.count == predicted.count, "\(truth.count) labels vs \(predicted.count) predictions")
        let classes = Dictionary(uniqueKeysWithValues: Set(truth).sorted().enumerated().map { ($1, $0) })
        let clusters = Dictionary(uniqueKeysWithValues: Set(predicted).sorted().enumerated().map { ($1, $0) })
        var table = [[Int]](repeating: [Int](repeating: 0, count: clusters.count), count: classes.count)
        for (t, p) in zip(truth, predicted) {
            if let i = classes[t], let j = clusters[p] { table[i][j] += 1 }
        }
        self.table = table
        self.total = truth.count
    }
}
