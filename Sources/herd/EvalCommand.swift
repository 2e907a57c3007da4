import ArgumentParser
import Clustering
import Foundation
import Tensor

/// `herd eval`: scores clustering methods against known classes, like the paper's Table 1.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score clustering methods against known classes: ACC, NMI and ARI as mean ± std over runs.",
        discussion: """
        Features come from a NumPy file (float32/float16, shape [N, D]) with integer labels ([N]), or from \
        --images DIR: each sub-folder of DIR is a class, and its images (found recursively) are embedded with \
        the installed model as ingest does (--model, --threads, --batch). Images that do not decode are listed \
        on stderr and left out (exit status 1 after the report).
        Without --method, all methods are run side by side. Without --clusters, the number of clusters is chosen \
        from the features as the daemon chooses it (the modularity peak of k-means partitions on the neighbour \
        graph, Docs/CLUSTERING.md); the report gives the curve. Sets under 20 points use the number of classes.
        """
    )

    @Option(help: "Features as a .npy file of shape [N, D] (float32 or float16).")
    var features: String?

    @Option(help: "Class labels as a .npy file of N integers.")
    var labels: String?

    @Option(help: "A folder whose sub-folders are classes of images (needs an installed model).")
    var images: String?

    @Option(help: "Number of clusters (default: chosen from the features, as the daemon does).")
    var clusters: Int?

    @Option(help: "Method to run: tsp, tsp-paper or kmeans; repeat for several (default: all).")
    var method: [ClusteringMethod] = []

    @Option(help: "Runs per method, with seeds seed, seed+1, ...")
    var runs: Int = 10

    @Option(help: "Seed of the first run.")
    var seed: UInt64 = 0

    @Option(help: "With --images: write the embedded features [N, D] as float32 .npy here, for later runs with --features.")
    var saveFeatures: String?

    @Option(help: "With --images: write the class of each embedded image [N] as int64 .npy here, for --labels.")
    var saveLabels: String?

    @Option(help: "With --images: images per forward pass.")
    var batch = 16

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        if images != nil && (features != nil || labels != nil) {
            throw ValidationError("give either --images DIR or --features X.npy --labels y.npy, not both")
        }
        if images == nil && (features == nil || labels == nil) {
            throw ValidationError("give --features X.npy and --labels y.npy (or --images DIR)")
        }
        if images == nil && (saveFeatures != nil || saveLabels != nil) {
            throw ValidationError("--save-features and --save-labels write what --images embedded; they need --images DIR")
        }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        if let clusters, clusters < 2 { throw ValidationError("--clusters must be at least 2") }
    }

    func run() throws {
        let set: LabelledFeatures
        var source: ImageSource?
        var failures: [String] = []
        if let images {
            let embedded = try embedClasses(in: images)
            set = embedded.set
            source = embedded.source
            failures = embedded.failures
            try save(embedded)
        } else if let features, let labels {
            set = try LabelledFeatures(featuresPath: features, labelsPath: labels)
        } else {
            return
        }
        var estimate: ChosenCount?
        let pool = ComputePool(threads: modelOptions.threadCount, name: "herd.eval")
        if clusters == nil, ClusterCount.estimateRange(for: set.x.rows) != nil {
            let t0 = Date()
            let found = try ClusterCount.estimate(set.x, seed: seed, pool: pool)
            estimate = ChosenCount(found, seconds: Date().timeIntervalSince(t0))
        }
        let k = clusters ?? estimate?.chosen ?? set.classes
        guard k < set.x.rows else {
            throw EvalError("\(images ?? features ?? ""): \(set.x.rows) points cannot make \(k) clusters; pass a smaller --clusters")
        }
        let methods = method.isEmpty ? ClusteringMethod.allCases : method
        let start = Date()
        var results: [MethodResult] = []
        for m in methods {
            var result = MethodResult(method: m.rawValue)
            for r in 0..<runs {
                let t0 = Date()
                let predicted = try m.cluster(set.x, clusters: k, seed: seed &+ UInt64(r), pool: pool)
                result.seconds.append(Date().timeIntervalSince(t0))
                result.scores.append(Scores(truth: set.y, predicted: predicted))
            }
            results.append(result)
        }
        let report = EvalReport(
            features: images == nil ? features : saveFeatures, labels: images == nil ? labels : saveLabels, images: source,
            points: set.x.rows, dimension: set.x.columns, classes: set.classes,
            clusters: k, clusterCount: estimate, runs: runs, seed: seed, methods: results, wallSeconds: Date().timeIntervalSince(start))
        print(json ? report.json() : report.table())
        if !failures.isEmpty {
            throw PartialFailure(message: "herd: \(failures.count) of \(failures.count + set.x.rows) images could not be embedded and were left out of the evaluation (listed above)")
        }
    }
}

extension ClusteringMethod: ExpressibleByArgument {}

/// A failure of `herd eval` on its input, naming the file and what to do.
struct EvalError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// A feature matrix and its labels, checked against each other.
struct LabelledFeatures {
    var x: Tensor
    var y: [Int]
    var classes: Int

    /// Features `x` [N, D] with labels `y` [N].
    init(x: Tensor, y: [Int]) {
        self.x = x
        self.y = y
        classes = Set(y).count
    }

    init(featuresPath: String, labelsPath: String) throws {
        let features = try Npy.read(path: featuresPath)
        guard features.dtype == .float32 || features.dtype == .float16 || features.dtype == .float64 else {
            throw EvalError("\(featuresPath): holds \(features.dtype.rawValue) values; features must be float32 or float16 (save with x.astype(np.float32))")
        }
        guard features.shape.count == 2, features.shape[0] > 0, features.shape[1] > 0 else {
            throw EvalError("\(featuresPath): shape \(features.shape); features must be a 2-D array [N, D] with N, D > 0")
        }
        let values = features.floats()
        guard values.allSatisfy({ $0.isFinite }) else {
            throw EvalError("\(featuresPath): holds NaN or infinite values; fix or drop those rows")
        }
        let labelArray = try Npy.read(path: labelsPath)
        guard let y = labelArray.integers() else {
            throw EvalError("\(labelsPath): holds \(labelArray.dtype.rawValue) values; labels must be integers (save with y.astype(np.int64))")
        }
        guard labelArray.shape.count == 1 || (labelArray.shape.count == 2 && labelArray.shape[1] == 1) else {
            throw EvalError("\(labelsPath): shape \(labelArray.shape); labels must be a 1-D array [N]")
        }
        guard y.count == features.shape[0] else {
            throw EvalError("\(labelsPath) has \(y.count) labels but \(featuresPath) has \(features.shape[0]) rows; they must match row for row")
        }
        x = Tensor(shape: features.shape, data: values)
        self.y = y
        classes = Set(y).count
    }
}
