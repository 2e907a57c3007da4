import Foundation

/// The daemon's settings, as `config.toml` holds them.
public struct HerdConfiguration: Sendable, Equatable, Codable {
    /// Library roots to watch (absolute).
    public var libraries: [String]
    /// Folder the cluster links are written to (absolute; not inside a library).
    public var output: String
    /// Feature model name.
    public var model: String
    /// Number format of the encoder's weight products: "auto" (bf16 where the CPU has AVX512_BF16,
    /// else fp32), "bf16" or "fp32". The model id, and so cached features, do not depend on it.
    public var precision: String
    /// Threads of the ingest pool (hashing, decoding, the encoder) and of the background pool a retrain runs on.
    public var threads: Int
    /// Files per encoder batch and per catalogue transaction.
    public var batchSize: Int
    /// Quiet time after the last file event before a changed file is read, in milliseconds.
    public var debounceMilliseconds: Int
    /// Seconds between full reconcile scans that catch anything the watcher missed.
    public var rescanIntervalSeconds: Int
    /// Seconds between looks at a library root that is missing or looks unmounted (a returning folder's parent is
    /// also watched; a mounted disk raises no event, so it is found by this look).
    public var libraryPollSeconds: Int
    /// Clusters to make (0: chosen from the photos, `ClusterCount.estimate`).
    public var clusters: Int
    /// A retrain needs at least this many new photos since the last one ...
    public var retrainMinimumNew: Int
    /// ... and at least this share of the library.
    public var retrainFraction: Double
    /// Minutes between automatic retrains at least (`herd recluster` does not wait).
    public var retrainIntervalMinutes: Int
    /// Optimiser steps per head (0: the clustering engine's defaults); lower it on a slow machine.
    public var trainSteps: Int
    /// Largest cosine distance between the features of near-duplicates (Docs/OVERVIEW.md).
    public var duplicateThreshold: Double

    /// The default model.
    public static let defaultModel = "dino-vits16"
    /// The default encoder precision.
    public static let defaultPrecision = "auto"

    /// Settings with defaults for the tuning knobs.
    public init(
        libraries: [String], output: String, model: String = HerdConfiguration.defaultModel,
        precision: String = HerdConfiguration.defaultPrecision, threads: Int = 2, batchSize: Int = 16,
        debounceMilliseconds: Int = 1000, rescanIntervalSeconds: Int = 3600, libraryPollSeconds: Int = 30, clusters: Int = 0, retrainMinimumNew: Int = 200,
        retrainFraction: Double = 0.1, retrainIntervalMinutes: Int = 30, trainSteps: Int = 0,
        duplicateThreshold: Double = DuplicateRule.defaultThreshold
    ) {
        self.libraries = libraries
        self.output = output
        self.model = model
        self.precision = precision
        self.threads = threads
        self.batchSize = batchSize
        self.debounceMilliseconds = debounceMilliseconds
        self.rescanIntervalSeconds = rescanIntervalSeconds
        self.libraryPollSeconds = libraryPollSeconds
        self.clusters = clusters
        self.retrainMinimumNew = retrainMinimumNew
        self.retrainFraction = retrainFraction
        self.retrainIntervalMinutes = retrainIntervalMinutes
        self.trainSteps = trainSteps
        self.duplicateThreshold = duplicateThreshold
    }

    enum CodingKeys: String, CodingKey {
        case libraries, output, model, precision, threads
        case batchSize = "batch_size"
        case debounceMilliseconds = "debounce_ms"
        case rescanIntervalSeconds = "rescan_interval_s"
        case libraryPollSeconds = "library_poll_s"
        case clusters
        case retrainMinimumNew = "retrain_min_new"
        case retrainFraction = "retrain_fraction"
        case retrainIntervalMinutes = "retrain_interval_min"
        case trainSteps = "train_steps"
        case duplicateThreshold = "duplicate_threshold"
    }

    /// Decodes, with defaults for every key but `libraries` and `output`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            libraries: try c.decode([String].self, forKey: .libraries),
            output: try c.decode(String.self, forKey: .output),
            model: try c.decodeIfPresent(String.self, forKey: .model) ?? Self.defaultModel,
            precision: try c.decodeIfPresent(String.self, forKey: .precision) ?? Self.defaultPrecision,
            threads: try c.decodeIfPresent(Int.self, forKey: .threads) ?? 2,
            batchSize: try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? 16,
            debounceMilliseconds: try c.decodeIfPresent(Int.self, forKey: .debounceMilliseconds) ?? 1000,
            rescanIntervalSeconds: try c.decodeIfPresent(Int.self, forKey: .rescanIntervalSeconds) ?? 3600,
            libraryPollSeconds: try c.decodeIfPresent(Int.self, forKey: .libraryPollSeconds) ?? 30,
            clusters: try c.decodeIfPresent(Int.self, forKey: .clusters) ?? 0,
            retrainMinimumNew: try c.decodeIfPresent(Int.self, forKey: .retrainMinimumNew) ?? 200,
            retrainFraction: try c.decodeIfPresent(Double.self, forKey: .retrainFraction) ?? 0.1,
            retrainIntervalMinutes: try c.decodeIfPresent(Int.self, forKey: .retrainIntervalMinutes) ?? 30,
            trainSteps: try c.decodeIfPresent(Int.self, forKey: .trainSteps) ?? 0,
            duplicateThreshold: try c.decodeIfPresent(Double.self, forKey: .duplicateThreshold) ?? DuplicateRule.defaultThreshold)
    }

    /// Applies a command's `--model` / `--precision` (nil: not given), which win over the file and the environment.
    public func overridden(model: String?, precision: String?) -> HerdConfiguration {
        var copy = self
        if let model { copy.model = model }
        if let precision { copy.precision = precision }
        return copy
    }

    /// Applies `HERD_MODEL`, `HERD_PRECISION`, `HERD_THREADS`, `HERD_BATCH_SIZE`, `HERD_DEBOUNCE_MS`, `HERD_RESCAN_INTERVAL_S`, `HERD_LIBRARY_POLL_S`, `HERD_CLUSTERS`,
    /// `HERD_RETRAIN_MIN_NEW`, `HERD_RETRAIN_INTERVAL_MIN`, `HERD_TRAIN_STEPS` and `HERD_DUPLICATE_THRESHOLD`.
    public func overridden(by environment: [String: String]) throws -> HerdConfiguration {
        var copy = self
        if let model = environment["HERD_MODEL"], !model.isEmpty { copy.model = model }
        if let precision = environment["HERD_PRECISION"], !precision.isEmpty { copy.precision = precision }
        func integer(_ name: String) throws -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text) else {
                throw DaemonError(.configuration, path: nil, "environment variable \(name)=\(text) is not a whole number")
            }
            return value
        }
        copy.threads = try integer("HERD_THREADS") ?? copy.threads
        copy.batchSize = try integer("HERD_BATCH_SIZE") ?? copy.batchSize
        copy.debounceMilliseconds = try integer("HERD_DEBOUNCE_MS") ?? copy.debounceMilliseconds
        copy.rescanIntervalSeconds = try integer("HERD_RESCAN_INTERVAL_S") ?? copy.rescanIntervalSeconds
        copy.libraryPollSeconds = try integer("HERD_LIBRARY_POLL_S") ?? copy.libraryPollSeconds
        copy.clusters = try integer("HERD_CLUSTERS") ?? copy.clusters
        copy.retrainMinimumNew = try integer("HERD_RETRAIN_MIN_NEW") ?? copy.retrainMinimumNew
        copy.retrainIntervalMinutes = try integer("HERD_RETRAIN_INTERVAL_MIN") ?? copy.retrainIntervalMinutes
        copy.trainSteps = try integer("HERD_TRAIN_STEPS") ?? copy.trainSteps
        if let text = environment["HERD_DUPLICATE_THRESHOLD"], !text.isEmpty {
            guard let value = Double(text) else {
                throw DaemonError(.configuration, path: nil, "environment variable HERD_DUPLICATE_THRESHOLD=\(text) is not a number")
            }
            copy.duplicateThreshold = value
        }
        return copy
    }
}
