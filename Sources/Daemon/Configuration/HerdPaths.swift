import Foundation

/// Where herd keeps its files (XDG base directories), each overridable by flag or environment for tests.
public struct HerdPaths: Sendable, Equatable {
    /// The configuration file: `$HERD_CONFIG`, else `$XDG_CONFIG_HOME/herd/config.toml`.
    public var config: String
    /// The catalogue: `$HERD_CATALOG`, else `$XDG_DATA_HOME/herd/catalog.sqlite`.
    public var catalog: String
    /// Model weights: `$HERD_MODELS_DIR`, else `$XDG_DATA_HOME/herd/models`.
    public var models: String
    /// Index and caches: `$HERD_CACHE_DIR`, else `$XDG_CACHE_HOME/herd`.
    public var cache: String

    /// Paths from explicit values (flags), then the environment, then the XDG defaults under `$HOME`.
    public init(
        environment: [String: String], config: String? = nil, catalog: String? = nil, models: String? = nil, cache: String? = nil
    ) {
        let home = environment["HOME"] ?? NSHomeDirectory()
        func base(_ variable: String, _ fallback: String) -> String {
            // The XDG spec says a relative value is invalid and must be ignored.
            if let value = environment[variable], value.hasPrefix("/") { return value }
            return home + "/" + fallback
        }
        let configHome = base("XDG_CONFIG_HOME", ".config")
        let dataHome = base("XDG_DATA_HOME", ".local/share")
        let cacheHome = base("XDG_CACHE_HOME", ".cache")
        func pick(_ flag: String?, _ variable: String, _ fallback: String) -> String {
            let chosen = flag ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 } ?? fallback
            return Self.absolute(chosen)
        }
        self.config = pick(config, "HERD_CONFIG", configHome + "/herd/config.toml")
        self.catalog = pick(catalog, "HERD_CATALOG", dataHome + "/herd/catalog.sqlite")
        self.models = pick(models, "HERD_MODELS_DIR", dataHome + "/herd/models")
        self.cache = pick(cache, "HERD_CACHE_DIR", cacheHome + "/herd")
    }

    /// `path` made absolute against the working directory, with `.` and `..` folded.
    static func absolute(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}
