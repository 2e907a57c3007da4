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

/// Where `herd eval --images` got its features: the class folders and the embedding run.
struct ImageSource: Encodable {
    /// The folder given to --images.
    var folder: String
    /// The model name or path given to --model.
    var model: String
    /// Class names (sub-folder names), in label order: label i is `classNames[i]`.
    var classNames: [String]
    /// Embedded images of each class, in label order.
    var imagesPerClass: [Int]
    /// Images that did not decode or embed (listed on stderr).
    var failed: Int
    /// Files in class folders that are not images.
    var notImages: Int
    /// Entries directly in the folder, outside every class.
    var outsideClasses: Int
    /// Threads for decoding and the forward pass.
    var threads: Int
    /// Wall time of decoding and embedding, apart from clustering.
    var embedSeconds: Double

    /// The lines the table starts with.
    func lines() -> [String] {
        let counts = zip(classNames, imagesPerClass).map { "\($0) \($1)" }
        let shown = counts.count > 12 ? counts.prefix(12).joined(separator: ", ") + ", … \(counts.count - 12) more" : counts.joined(separator: ", ")
        let total = imagesPerClass.reduce(0, +)
        var lines = [
            "\(total) images embedded with \(model) on \(Self.count(threads, "thread")) in " + String(format: "%.1f s", embedSeconds),
            "classes: " + shown,
        ]
        var left: [String] = []
        if failed > 0 { left.append("\(Self.count(failed, "image")) that could not be embedded (listed on stderr)") }
        if notImages > 0 { left.append("\(Self.count(notImages, "file")) that \(notImages == 1 ? "is not an image" : "are not images")") }
        if outsideClasses > 0 {
            left.append("\(Self.count(outsideClasses, "entry", "entries")) directly in \((folder as NSString).lastPathComponent), outside every class")
        }
        if !left.isEmpty { lines.append("left out: " + left.joined(separator: "; ")) }
        return lines
    }

    /// `1 image`, `2 images`.
    private static func count(_ n: Int, _ one: String, _ many: String? = nil) -> String {
        "\(n) " + (n == 1 ? one : many ?? one + "s")
    }
}

/// The number of clusters chosen from the features (no --clusters): the count, the modularity curve it is the peak
/// of, and the time the choice took.
struct ChosenCount: Encodable {
    var chosen: Int
    var counts: [Int]
    var modularity: [Double]
    var seconds: Double

    init(_ estimate: ClusterCountEstimate, seconds: Double) {
        chosen = estimate.clusters
        counts = estimate.counts
        modularity = estimate.modularity
        self.seconds = seconds
    }

    /// The table's line: the count and the curve around it.
    func line(classes: Int) -> String {
        let near = zip(counts, modularity).filter { abs($0.0 - chosen) <= max(2, chosen / 5) }
            .map { String(format: "%d: %.3f", $0.0, $0.1) }.joined(separator: ", ")
        return "clusters chosen from the features: \(chosen) for \(classes) classes (k-means modularity over \(counts.first ?? 0)…\(counts.last ?? 0), "
            + "the fewest within one standard error of its peak; \(counts.count) counts tried in " + String(format: "%.1f s", seconds)
            + "; near the choice \(near))"
    }
}

/// What `herd eval` prints: a table for people, JSON for scripts.
struct EvalReport: Encodable {
    /// The features file read, or the one --save-features wrote.
    var features: String?
    /// The labels file read, or the one --save-labels wrote.
    var labels: String?
    /// The class folders embedded, with --images.
    var images: ImageSource?
    var points: Int
    var dimension: Int
    var classes: Int
    var clusters: Int
    /// How the features chose `clusters`; nil when --clusters set it (or the set was too small to choose).
    var clusterCount: ChosenCount?
    var runs: Int
    var seed: UInt64
    var methods: [MethodResult]
    var wallSeconds: Double

    func table() -> String {
        let name = ((images?.folder ?? features ?? "") as NSString).lastPathComponent
        var lines = [
            "\(name): \(points) × \(dimension), \(classes) classes, \(clusters) clusters, \(runs) runs (seeds \(seed)…\(seed &+ UInt64(runs - 1)))",
        ]
        lines += images?.lines() ?? []
        if let clusterCount { lines.append(clusterCount.line(classes: classes)) }
        lines += [
            "method       ACC             NMI             ARI             time/run",
        ]
        for m in methods {
            let cells = [Summary(m.scores.map(\.accuracy)), Summary(m.scores.map(\.nmi)), Summary(m.scores.map(\.ari))]
                .map { String(format: "%.3f ± %.3f", $0.mean, $0.std).padding(toLength: 16, withPad: " ", startingAt: 0) }
            let time = Summary(m.seconds).mean
            lines.append(m.method.padding(toLength: 13, withPad: " ", startingAt: 0) + cells.joined() + String(format: "%.2f s", time))
        }
        if let images {
            lines.append(String(format: "wall time %.1f s clustering, %.1f s embedding", wallSeconds, images.embedSeconds))
        } else {
            lines.append(String(format: "wall time %.1f s", wallSeconds))
        }
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
        case features, labels, images, points, dimension, classes, clusters, clusterCount, runs, seed, methods, wallSeconds
    }

    /// The JSON form: the same fields (wall_seconds is clustering only; images.embed_seconds the embedding; cluster_count
    /// the chosen count's curve and time, when the features chose it), with each method's scores summarised as mean and std.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(features, forKey: .features)
        try c.encodeIfPresent(labels, forKey: .labels)
        try c.encodeIfPresent(images, forKey: .images)
        try c.encode(points, forKey: .points)
        try c.encode(dimension, forKey: .dimension)
        try c.encode(classes, forKey: .classes)
        try c.encode(clusters, forKey: .clusters)
        try c.encodeIfPresent(clusterCount, forKey: .clusterCount)
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
