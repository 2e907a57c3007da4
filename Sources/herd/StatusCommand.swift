import ArgumentParser
import Catalog
import Daemon
import Foundation

/// `herd status`: what the catalogue holds and what the daemon is doing.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the catalogue's counts and the daemon's state.")

    @Flag(help: "Print as JSON.")
    var json = false

    @OptionGroup var paths: PathOptions

    func run() async throws {
        let reader = try CatalogReader(paths)
        let catalog = reader.catalog, paths = reader.paths
        let daemonRun = try catalog.latestRun(kind: "daemon")
        let latest = try catalog.latestRun()
        let model = try reader.modelID(configured: reader.configuredModel)
        let counts = try catalog.counts(modelID: model)
        let lastScan = try catalog.latestEvent(kind: "scan")
        let clusters = try catalog.clusterContents().count
        var report = StatusReport(
            catalog: paths.catalog, model: model, counts: counts,
            lastScan: lastScan.map { .init(at: $0.at, detail: $0.detail) },
            daemon: daemonRun.map { DaemonReport(run: $0) },
            blasCore: latest?.blasCore,
            ingestRate: latest.flatMap { $0.ingestSeconds > 0 ? Double($0.filesIngested) / $0.ingestSeconds : nil },
            encoderCalls: try catalog.runs().reduce(0) { $0 + $1.extractorCalls },
            clusters: clusters, lastRetrain: try catalog.latestClusterRun(),
            catalogDiskFreeBytes: Self.freeBytes(onFileSystemOf: paths.catalog))
        report.diskFull = (report.catalogDiskFreeBytes ?? .max) < StatusReport.fullDiskBytes || report.daemon?.health?.diskFull != nil
        if json {
            try JSONOutput.print(report)
        } else {
            report.printHuman()
        }
    }

    /// Bytes an unprivileged writer may still use on the file system holding `path` (nil when it cannot be asked).
    static func freeBytes(onFileSystemOf path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }
}

/// What `herd status --json` prints.
struct StatusReport: Encodable {
    struct Scan: Encodable {
        var at: Date
        var detail: String
    }

    var catalog: String
    var model: String
    var counts: CatalogCounts
    var lastScan: Scan?
    var daemon: DaemonReport?
    var blasCore: String?
    var ingestRate: Double?
    var encoderCalls: Int
    var clusters: Int
    var lastRetrain: ClusterRun?
    /// Free bytes where the catalogue is: a full disk shows here even when the daemon cannot write its heartbeat.
    var catalogDiskFreeBytes: Int64?

    /// Below this, the catalogue's disk counts as full.
    static let fullDiskBytes: Int64 = 1 << 20

    /// True when the catalogue's file system is (nearly) full, or the daemon says it is waiting for space.
    var diskFull = false

    func printHuman() {
        print("catalogue     \(catalog)")
        if diskFull {
            print("disk          FULL where the catalogue is (\(catalogDiskFreeBytes.map { "\($0 >> 10) KiB free" } ?? "?")): ingest is paused until space is freed")
        }
        print("model         \(model)")
        print("files         \(counts.files)")
        print("embedded      \(counts.embedded)")
        print("pending       \(counts.pending)")
        print("failed        \(counts.failed)" + (counts.failed > 0 ? "  (herd files --failed)" : ""))
        print("encoder       \(encoderCalls) calls, \(counts.imagesEncoded) images encoded")
        if let rate = ingestRate { print("ingest rate   " + String(format: "%.1f photos/s", rate)) }
        print("BLAS core     \(blasCore ?? "unknown")")
        if let lastScan { print("last scan     \(Self.format(lastScan.at)): \(lastScan.detail)") } else { print("last scan     never") }
        print("clusters      \(clusters)")
        print("last retrain  " + (lastRetrain.map(Self.describe) ?? "never"))
        if let daemon {
            let state = daemon.running ? "running (pid \(daemon.pid)), \(daemon.phase)" : "not running (last seen \(Self.format(daemon.heartbeatAt)))"
            print("daemon        \(state)")
            if let note = daemon.watchNote { print("watching      \(note)") }
            if daemon.running { for problem in daemon.health?.lines ?? [] { print("problem       \(problem)") } }
        } else {
            print("daemon        never ran; start it with `herd run`")
        }
    }

    /// One line about a retrain: when, why, how, and how many photos changed cluster.
    static func describe(_ run: ClusterRun) -> String {
        var line = "\(format(run.at)): \(run.reason), \(run.method), \(run.photos) photos into \(run.clusters) clusters"
        if let churn = run.churn { line += String(format: ", %.1f %% changed cluster", churn * 100) }
        if let loss = run.loss { line += String(format: ", loss %.3f", loss) }
        return line + String(format: " (%.1f s)", run.seconds)
    }

    static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }
}

/// The daemon's last run, and whether it is alive.
struct DaemonReport: Encodable {
    var pid: Int32
    var running: Bool
    var phase: String
    var startedAt: Date
    var heartbeatAt: Date
    var watchNote: String?
    /// What is not right (unavailable libraries, a full disk, failing upkeep, a failed reload); nil when all is well.
    var health: RunHealth?

    init(run: CatalogRun) {
        pid = run.pid
        // Alive: not finished, and the process exists (a crash leaves finished_at empty).
        running = run.finishedAt == nil && kill(run.pid, 0) == 0
        phase = running ? run.phase : "stopped"
        startedAt = run.startedAt
        heartbeatAt = run.heartbeatAt
        watchNote = run.watchNote
        health = running ? run.health : nil
    }
}
