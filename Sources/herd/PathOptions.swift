import ArgumentParser
import Daemon
import Foundation

/// Options every command shares: where the configuration and catalogue live.
struct PathOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "Configuration file (default $HERD_CONFIG, else $XDG_CONFIG_HOME/herd/config.toml).")
    var config: String?

    @Option(name: .customLong("catalog"), help: "Catalogue file (default $HERD_CATALOG, else $XDG_DATA_HOME/herd/catalog.sqlite).")
    var catalog: String?

    @Option(name: .customLong("models-dir"), help: "Model folder (default $HERD_MODELS_DIR, else $XDG_DATA_HOME/herd/models).")
    var models: String?

    @Option(name: .customLong("cache-dir"), help: "Cache folder (default $HERD_CACHE_DIR, else $XDG_CACHE_HOME/herd).")
    var cache: String?

    /// The resolved paths: flags, then environment, then XDG defaults.
    func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) -> HerdPaths {
        HerdPaths(environment: environment, config: config, catalog: catalog, models: models, cache: cache)
    }
}
