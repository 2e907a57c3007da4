import Clustering
import Foundation
import Index
import Tensor

/// A named way of clustering features into k clusters with a seed.
struct Variant: Sendable {
    var name: String
    var run: @Sendable (Tensor, Int, UInt64) throws -> [Int]
}

/// TSP variants from the paper's configuration with one change applied.
func tspVariant(_ name: String, _ change: @escaping @Sendable (inout TSPConfiguration, Int) -> Void) -> Variant {
    Variant(name: name) { x, k, seed in
        var cfg = TSPConfiguration.paper(clusters: k, seed: seed)
        change(&cfg, x.rows)
        return try TSPTrainer(configuration: cfg).fit(x).assignments
    }
}

let variants: [Variant] = [
    Variant(name: "kmeans") { x, k, seed in try KMeans(k: k, seed: seed).fit(ClusterHead.unitRows(x)).assignments },
    tspVariant("paper") { _, _ in },
    tspVariant("steps5k") { c, _ in c.minimumSteps = 5000 },
    tspVariant("steps20k") { c, _ in c.minimumSteps = 20000 },
    tspVariant("lr1e-3") { c, _ in c.learningRate = 1e-3 },
    tspVariant("lr1e-3-steps5k") { c, _ in c.learningRate = 1e-3; c.minimumSteps = 5000 },
    tspVariant("temp0.1") { c, _ in c.temperature = 0.1 },
    tspVariant("temp0.05") { c, _ in c.temperature = 0.05 },
    tspVariant("temp0.1-steps5k") { c, _ in c.temperature = 0.1; c.minimumSteps = 5000 },
    tspVariant("k10") { c, _ in c.neighbours = 10 },
    tspVariant("k5") { c, _ in c.neighbours = 5 },
    tspVariant("heads5") { c, _ in c.heads = 5 },
    tspVariant("lambda1") { c, _ in c.entropyWeight = 1 },
    tspVariant("lambda5") { c, _ in c.entropyWeight = 5 },
    tspVariant("epochs0") { c, _ in c.epochs = 0 },
] + extraVariants + robustVariants

/// Runs variants over seeds on a labelled feature file and prints mean ± std of ACC, NMI, ARI.
func sweep() throws {
    printEnvironment()
    var (x, y) = try loadSet()
    if let ratio = Double(option("imbalance", "")) { (x, y) = imbalanced(x, y, ratio: ratio) }
    let runs = intOption("runs", 5)
    let k = intOption("clusters", Set(y).count)
    let names = option("variants", variants.map(\.name).joined(separator: ",")).split(separator: ",").map(String.init)
    print("# \(x.rows) × \(x.columns), \(k) clusters, \(runs) seeds")
    for name in names {
        guard let v = variants.first(where: { $0.name == name }) else { print("unknown variant \(name)"); continue }
        var scores: [Scores] = []
        let t0 = now()
        for r in 0..<runs { scores.append(Scores(truth: y, predicted: try v.run(x, k, UInt64(r)))) }
        let t = (now() - t0) / Double(runs)
        func ms(_ f: (Scores) -> Double) -> String {
            let v = scores.map(f), m = v.reduce(0, +) / Double(v.count)
            let sd = (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count)).squareRoot()
            return String(format: "%.3f±%.3f", m, sd)
        }
        let accs = scores.map { String(format: "%.3f", $0.accuracy) }.joined(separator: " ")
        print(name.padding(toLength: 22, withPad: " ", startingAt: 0), "ACC", ms(\.accuracy), "NMI", ms(\.nmi), "ARI", ms(\.ari),
              String(format: "%6.2fs/run", t), "[\(accs)]")
        fflush(nil)
    }
}

/// The labelled set named by --features/--labels, or a synthetic one from --synthetic n,d,clusters,spread,noise.
func loadSet() throws -> (Tensor, [Int]) {
    let synthetic = option("synthetic", "")
    if !synthetic.isEmpty {
        let p = synthetic.split(separator: ",").map { Double($0) ?? 0 }
        let (x, y) = SyntheticFeatures.clustered(count: Int(p[0]), dimension: Int(p[1]), clusters: Int(p[2]),
                                                 spread: Float(p[3]), noise: Float(p[4]), seed: 77)
        return (x, y)
    }
    let x = try Npy.readTensor(path: option("features", ""))
    guard let y = try Npy.read(path: option("labels", "")).integers() else { throw ClusteringError("labels must be integers") }
    return (x, y)
}

/// Keeps, of class number c (in sorted order of the C classes), the first ⌈size · ratio^(c/(C−1))⌉ points:
/// the largest class stays whole, the smallest keeps `ratio` of its points.
func imbalanced(_ x: Tensor, _ y: [Int], ratio: Double) -> (Tensor, [Int]) {
    let classes = Set(y).sorted()
    var keep: [Int] = []
    for (c, label) in classes.enumerated() {
        let members = y.indices.filter { y[$0] == label }
        let fraction = pow(ratio, Double(c) / Double(max(classes.count - 1, 1)))
        keep += members.prefix(Int((Double(members.count) * fraction).rounded(.up)))
    }
    keep.sort()
    let d = x.columns
    var data: [Float] = []
    for i in keep { data += x.data[i * d ..< (i + 1) * d] }
    return (Tensor(shape: [keep.count, d], data: data), keep.map { y[$0] })
}
