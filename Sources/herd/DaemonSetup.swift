import Daemon
import Foundation
import Logging

/// Builds the daemon's parts for a command: configuration, paths, logger and the plugged-in models.
struct DaemonSetup {
    var paths: HerdPaths
    var configuration: HerdConfiguration
    var environment: [String: String]
    /// `--model` / `--precision` as given (they override the file, on reload too).
    var commandLine: (model: String?, precision: String?)

    /// Loads and validates the configuration file, applying environment, `--model` and `--precision` overrides.
    init(paths: PathOptions, model: String? = nil, precision: EncoderPrecision? = nil,
         environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.environment = environment
        self.commandLine = (model, precision?.rawValue)
        self.paths = paths.resolved(environment: environment)
        self.configuration = try HerdConfiguration.load(from: self.paths.config).overridden(by: environment)
            .overridden(model: commandLine.model, precision: commandLine.precision).validated()
    }

    /// The encoder plug for the configured model.
    func extractor() throws -> FeatureExtractor {
        // A test seam: herd's tests slow the byte-histogram encoder down to stand in for real encoder time.
        let delay = environment["HERD_DEBUG_EXTRACTOR_DELAY_MS"].flatMap(Int.init) ?? 0
        return try .configured(configuration, paths: paths, cpuSupportsBF16: CPUSupport.bf16(environment: environment),
                               testDelay: .milliseconds(delay))
    }

    /// Everything the daemon is built from.
    func dependencies() throws -> DaemonDependencies {
        var dependencies = DaemonDependencies(
            extractor: try extractor(), inspector: .imaging(), blasCore: DaemonDependencies.runningBLASCore, environment: environment)
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
