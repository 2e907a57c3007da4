import Clustering
import Foundation

/// One method's scores and times over the runs.
struct MethodResult {
    var method: String
    var scores: [Scores] = []
    var seconds: [Double] = []
}

/// Mean and population standard deviation (NumPy's default) of some values.
struct Summary: Encodable {
    var mean: Double
    var std: Double
    var runs: [Double]

    init(_ values: [Double]) {
        runs = values
        mean = values.reduce(0, +) / Double(max(values.count, 1))
        let m = mean
        std = (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(max(values.count, 1))).squareRoot()
    }
}

/// What `herd eval` prints: a table for people, JSON for scripts.
struct EvalReport: Encodable {
    var features: String
    var labels: String
    var points: Int
    var dimension: Int
    var classes: Int
    var clusters: Int
    var runs: Int
    var seed: UInt64
    var methods: [MethodResult]
    var wallSeconds: Double

    func table() -> String {
        var lines = [
            "\((features as NSString).lastPathComponent): \(points) × \(dimension), \(classes) classes, \(clusters) clusters, \(runs) runs (seeds \(seed)…\(seed &+ UInt64(runs - 1)))",
            "method       ACC             NMI             ARI             time/run",
        ]
        for m in methods {
            let cells = [Summary(m.scores.map(\.accuracy)), Summary(m.scores.map(\.nmi)), Summary(m.scores.map(\.ari))]
                .map { String(format: "%.3f ± %.3f", $0.mean, $0.std).padding(toLength: 16, withPad: " ", startingAt: 0) }
            let time = Summary(m.seconds).mean
            lines.append(m.method.padding(toLength: 13, withPad: " ", startingAt: 0) + cells.joined() + String(format: "%.2f s", time))
        }
        lines.append(String(format: "wall time %.1f s", wallSeconds))
        return lines.joined(separator: "\n")
    }

    struct MethodJSON: Encodable {
        var method: String
        var acc: Summary
        var nmi: Summary
        var ari: Summary
        var secondsPerRun: Summary
    }

    enum CodingKeys: String, CodingKey {
        case features, labels, points, dimension, classes, clusters, runs, seed, methods, wallSeconds
    }

    /// The JSON form: the same fields, with each method's scores summarised as mean and std.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(features, forKey: .features)
        try c.encode(labels, forKey: .labels)
        try c.encode(points, forKey: .points)
        try c.encode(dimension, forKey: .dimension)
        try c.encode(classes, forKey: .classes)
        try c.encode(clusters, forKey: .clusters)
        try c.encode(runs, forKey: .runs)
        try c.encode(seed, forKey: .seed)
        try c.encode(methods.map {
            MethodJSON(method: $0.method, acc: Summary($0.scores.map(\.accuracy)), nmi: Summary($0.scores.map(\.nmi)),
                       ari: Summary($0.scores.map(\.ari)), secondsPerRun: Summary($0.seconds))
        }, forKey: .methods)
        try c.encode(wallSeconds, forKey: .wallSeconds)
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        guard let data = try? encoder.encode(self), let text = String(data: data, encoding: .utf8) else { return "{}" }
        return text
    }
}
