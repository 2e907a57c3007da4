import Daemon
import Encoder
import Foundation
import Logging
import Tensor

/// What the CPU offers the encoder, with a test seam: `HERD_TEST_NO_BF16=1` makes herd act as on a CPU
/// without AVX512_BF16 (the fallback and its error messages are tested on machines that have it).
enum CPUSupport {
    /// Whether the bf16 kernels may run.
    static func bf16(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        BF16.isSupported && environment["HERD_TEST_NO_BF16"] != "1"
    }
}

/// Builds the daemon's parts for a command: configuration, paths, logger and the plugged-in models.
struct DaemonSetup {
    var paths: HerdPaths
    var configuration: HerdConfiguration
    var environment: [String: String]
    /// `--model` / `--precision` as given (they override the file, on reload too).
    var commandLine: (model: String?, precision: String?)

    /// Loads and validates the configuration file, applying environment, `--model` and `--precision` overrides.
    init(paths: PathOptions, model: String? = nil, precision: Precision? = nil,
         environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.environment = environment
        self.commandLine = (model, precision?.rawValue)
        self.paths = paths.resolved(environment: environment)
        self.configuration = try HerdConfiguration.load(from: self.paths.config).overridden(by: environment)
            .overridden(model: commandLine.model, precision: commandLine.precision).validated()
    }

    /// The encoder plug for the configured model, decoding and encoding on `pool` (nil: a pool of the configured
    /// `threads`).
    func extractor(pool: ComputePool? = nil) throws -> FeatureExtractor {
        if configuration.model == FeatureExtractor.byteHistogramModelID {
            // A test seam: herd's tests slow it down to stand in for real encoder time.
            let delay = environment["HERD_DEBUG_EXTRACTOR_DELAY_MS"].flatMap(Int.init) ?? 0
            return .byteHistogram(delayPerImage: .milliseconds(delay))
        }
        let store = ModelStore(root: URL(fileURLWithPath: paths.models))
        let weights: String, config: String?
        do {
            (weights, config) = try store.resolve(configuration.model)
        } catch {
            throw DaemonError(.model, path: paths.config,
                              "\(error) (install it with `herd model fetch \(configuration.model)` or `herd model import FILE`)")
        }
        let model = try VisionTransformer(contentsOf: weights, configPath: config,
                                          pool: pool ?? ComputePool(threads: configuration.threads, name: "herd.ingest"),
                                          precision: configuration.encoderPrecision,
                                          cpuSupportsBF16: CPUSupport.bf16(environment: environment),
                                          cache: PrecisionChoiceCache(folder: store.root))
        // Features are cached per model id; the digest makes new weights under an old name re-embed.
        // The id leaves out the precision: bf16 features stay within cosine ≈ 0.999 of fp32's
        // (Docs/ENCODER.md), so switching precision does not re-embed the library.
        let digest = try store.digest(ofWeights: weights)
        let name = (configuration.model as NSString).lastPathComponent
        return .vit(model, modelID: "\(name)@\(digest.prefix(16))",
                    digests: PhotoDigests(cacheFolder: paths.cache))
    }

    /// Everything the daemon is built from: the encoder runs on the daemon's ingest pool.
    func dependencies() throws -> DaemonDependencies {
        let pool = ComputePool(threads: configuration.threads, name: "herd.ingest")
        var dependencies = DaemonDependencies(
            extractor: try extractor(pool: pool), inspector: .imaging(), blasCore: BLASInfo.coreName, environment: environment)
        dependencies.ingestPool = pool
        dependencies.encoderSettings = (configuration.model, configuration.precision)
        dependencies.commandLine = commandLine
        return dependencies
    }

    /// The logger for this process: diagnostics on stderr, level from `HERD_LOG_LEVEL` (default info).
    static func logger(environment: [String: String] = ProcessInfo.processInfo.environment) -> Logger {
        var logger = Logger(label: "herd") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = environment["HERD_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        return logger
    }
}
