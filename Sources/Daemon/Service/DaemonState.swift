import Catalog
import Foundation
import Synchronization

/// What the daemon is doing, shared by its services: one lock, plain values, no callbacks. A change of what
/// `herd status` shows is sent on `changes`, so the status service sleeps until there is something to report.
public final class DaemonState: Sendable {
    /// The phases `herd status` and systemd's STATUS= show.
    public enum Phase: Sendable, Equatable {
        /// Opening the catalogue.
        case starting
        /// Walking the libraries.
        case scanning
        /// Embedding pending files.
        case ingesting(done: Int, pending: Int)
        /// Up to date; waiting for file events.
        case watching
        /// Finishing the current batch before exiting.
        case stopping
    }

    struct Values {
        var phase = Phase.starting
        var watchNote: String?
        var reload: HerdConfiguration?
        var configuration: HerdConfiguration
        var lastScan = ScanReport()
        var rate: Double = 0
        var retraining = false
        /// Set while the herds service catches up on work after new photos (duplicates, thumbnails).
        var catchingUp: String?
        /// Library roots that are missing or look unmounted, by path.
        var unavailable: [String: RunHealth.UnavailableLibrary] = [:]
        /// Set while a write found the disk full.
        var diskFull: String?
        var upkeepError: String?
        var reloadError: String?

        var health: RunHealth {
            var health = RunHealth()
            health.unavailableLibraries = unavailable.values.sorted { $0.path < $1.path }
            health.diskFull = diskFull
            health.upkeepError = upkeepError
            health.reloadError = reloadError
            return health
        }
    }

    private let values: Mutex<Values>
    /// Raised whenever `statusLine` changes.
    let changes = EventChannel<Void>()

    /// State for a daemon running `configuration`.
    public init(configuration: HerdConfiguration) {
        values = Mutex(Values(configuration: configuration))
    }

    func update<T>(_ body: (inout Values) -> T) -> T {
        let (result, changed) = values.withLock { v in
            let before = Self.line(v)
            let result = body(&v)
            return (result, Self.line(v) != before)
        }
        if changed { changes.send(()) }
        return result
    }

    func read<T>(_ body: (Values) -> T) -> T { values.withLock { body($0) } }

    /// The current phase.
    public var phase: Phase { read { $0.phase } }

    /// What is not right, for `herd status`.
    public var health: RunHealth { read { $0.health } }

    /// The configuration in force.
    public var configuration: HerdConfiguration { read { $0.configuration } }

    /// A one-line status for systemd and the catalogue.
    public var statusLine: String { values.withLock { Self.line($0) } }

    private static func line(_ v: Values) -> String {
        var line: String
        switch v.phase {
        case .starting: line = "starting"
        case .scanning: line = "scanning"
        case .ingesting(let done, let pending):
            line = "ingesting: \(done) done, \(pending) pending" + (v.rate > 0 ? String(format: ", %.1f photos/s", v.rate) : "")
        case .watching: line = "watching"
        case .stopping: line = "stopping after the current batch"
        }
        if v.retraining { line += "; retraining clusters" }
        if let work = v.catchingUp { line += "; " + work }
        if let note = v.watchNote { line += "; " + note }
        for problem in v.health.lines { line += "; " + problem }
        return line
    }

    /// The phase name stored in the catalogue's runs table.
    var phaseName: String {
        read { v in
            switch v.phase {
            case .starting: return "starting"
            case .scanning: return "scanning"
            case .ingesting(let done, let pending): return "ingesting \(done) done, \(pending) pending" + (v.retraining ? "; retraining clusters" : "")
            case .watching: return "watching" + (v.retraining ? "; retraining clusters" : "") + (v.catchingUp.map { "; " + $0 } ?? "")
            case .stopping: return "stopping"
            }
        }
    }
}
