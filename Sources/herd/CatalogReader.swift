import Catalog
import Daemon
import Foundation

/// The catalogue as a read-only command opens it, with the resolved paths.
struct CatalogReader {
    /// Flags, then environment, then XDG defaults.
    let paths: HerdPaths
    /// The catalogue, opened for reading.
    let catalog: Catalog
    let environment: [String: String]

    /// Resolves `options` and opens the catalogue for reading.
    init(_ options: PathOptions, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.environment = environment
        paths = options.resolved(environment: environment)
        catalog = try Catalog.openForReading(path: paths.catalog)
    }

    /// The model id the catalogue's features are keyed by: the latest run's (the exact name@digest for a
    /// ViT), else `configured`, else herd's default.
    func modelID(configured: @autoclosure () -> String?) throws -> String {
        try catalog.latestRun()?.modelID ?? configured() ?? HerdConfiguration.defaultModel
    }

    /// The configuration file's model with environment overrides, or nil when the file cannot be read.
    var configuredModel: String? {
        try? HerdConfiguration.load(from: paths.config).overridden(by: environment).model
    }
}
