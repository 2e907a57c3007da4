import Foundation

/// What is not right with a running daemon, as its heartbeat records it for `herd status`: libraries that are
/// unavailable, a full disk, cluster upkeep or a configuration reload that failed. Stored as JSON in `runs.health`.
public struct RunHealth: Sendable, Codable, Equatable {
    /// A library root that is missing or looks unmounted: its rows, features, clusters and links are kept.
    public struct UnavailableLibrary: Sendable, Codable, Equatable {
        /// The configured root.
        public var path: String
        /// Why it counts as unavailable, and what happens next.
        public var reason: String
        /// When it was first found unavailable.
        public var since: Date

        /// An unavailable library.
        public init(path: String, reason: String, since: Date) {
            self.path = path
            self.reason = reason
            self.since = since
        }
    }

    /// Libraries that are missing, or present but empty while the catalogue holds photos from them.
    public var unavailableLibraries: [UnavailableLibrary] = []
    /// Set while the daemon waits for disk space: what filled up, and that it resumes by itself.
    public var diskFull: String?
    /// The last cluster upkeep failure (retraining, folders), until upkeep succeeds again.
    public var upkeepError: String?
    /// The last failed configuration reload, until a reload succeeds.
    public var reloadError: String?

    /// All well.
    public init() {}

    /// True when there is nothing to report.
    public var isEmpty: Bool { unavailableLibraries.isEmpty && diskFull == nil && upkeepError == nil && reloadError == nil }

    /// Lines for a person, one per problem.
    public var lines: [String] {
        var out = unavailableLibraries.map { "library \($0.path) unavailable: \($0.reason)" }
        if let diskFull { out.append("paused: \(diskFull)") }
        if let upkeepError { out.append("cluster upkeep failing: \(upkeepError)") }
        if let reloadError { out.append("configuration reload failed (running settings kept): \(reloadError)") }
        return out
    }

    static func decode(_ text: String?) -> RunHealth? {
        guard let text, let data = text.data(using: .utf8) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try? decoder.decode(RunHealth.self, from: data)
    }

    func encoded() -> String? {
        if isEmpty { return nil }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) }
    }
}
