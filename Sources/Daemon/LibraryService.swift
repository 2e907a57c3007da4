import Catalog
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps the catalogue in step with the libraries: a full scan at start, then watched paths reconciled after a
/// quiet period, a full rescan after a lost event queue, on a timer, and after a configuration reload.
struct LibraryService: Service {
    let context: DaemonContext

    /// How often a full rescan runs while the watch limit leaves folders unwatched.
    static let degradedRescanInterval = Duration.seconds(300)

    func run() async throws {
        let scanThread = WorkerThreads(count: 1, name: "herd.scan")
        defer { scanThread.shutdown() }
        var configuration = context.state.configuration
        var source = try context.dependencies.makeFileEvents()
        let inbox = EventInbox(quiet: .milliseconds(configuration.debounceMilliseconds))
        try await withThrowingTaskGroup(of: Void.self) { group in
            let firstSource = source
            group.addTask { await inbox.consume(firstSource.events) }
            var layout = LibraryLayout(roots: configuration.libraries, output: configuration.output)
            try await fullScan(layout: layout, source: source, on: scanThread, reason: "initial scan")
            var nextRescan = ContinuousClock.now + .seconds(configuration.rescanIntervalSeconds)
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                try? await Task.sleep(for: context.dependencies.tick)
                let now = ContinuousClock.now
                if let reloaded = context.state.update({ v -> HerdConfiguration? in
                    defer { v.reload = nil }
                    if let new = v.reload { v.configuration = new }
                    return v.reload
                }) {
                    // New roots or output: start watching afresh, and rescan everything.
                    configuration = reloaded
                    source.stop()
                    source = try context.dependencies.makeFileEvents()
                    inbox.reset(quiet: .milliseconds(configuration.debounceMilliseconds))
                    let newSource = source
                    group.addTask { await inbox.consume(newSource.events) }
                    layout = LibraryLayout(roots: configuration.libraries, output: configuration.output)
                    try await fullScan(layout: layout, source: source, on: scanThread, reason: "configuration reloaded")
                    nextRescan = now + .seconds(configuration.rescanIntervalSeconds)
                    continue
                }
                let taken = inbox.take(at: now)
                if taken.overflow {
                    note("inotify event queue overflowed; rescanned the libraries", event: "overflow")
                    try await fullScan(layout: layout, source: source, on: scanThread, reason: "event queue overflow")
                    continue
                }
                if let limit = taken.watchLimit {
                    note(limit, event: "watch-limit")
                    nextRescan = min(nextRescan, now + Self.degradedRescanInterval)
                }
                if !taken.paths.isEmpty {
                    try await reconcile(taken.paths, layout: layout, source: source, on: scanThread)
                }
                if now >= nextRescan {
                    try await fullScan(layout: layout, source: source, on: scanThread, reason: "periodic rescan")
                    let degraded = context.state.update { $0.watchNote != nil }
                    let interval = Duration.seconds(configuration.rescanIntervalSeconds)
                    nextRescan = now + (degraded ? min(interval, Self.degradedRescanInterval) : interval)
                }
            }
            source.stop()
            group.cancelAll()
        }
    }

    private func fullScan(layout: LibraryLayout, source: FileEventSource, on thread: WorkerThreads, reason: String) async throws {
        context.state.update { $0.phase = .scanning }
        let scanner = Scanner(layout: layout, catalog: context.catalog, logger: context.logger)
        let started = ContinuousClock.now
        // Folders are watched as the walk finds them, so changes during the scan are not missed.
        let report = try await thread.run { try scanner.reconcileAll(onDirectory: source.watch) }
        let seconds = (ContinuousClock.now - started).inSeconds
        context.logger.info("scan finished", metadata: ["reason": "\(reason)", "changes": "\(report.summary)", "files": "\(report.seen)"])
        try context.catalog.recordEvent(
            runID: context.runID, kind: "scan",
            detail: "\(reason): \(report.seen) files in \(report.directories) folders, \(report.summary) (\(String(format: "%.1f", seconds)) s)")
        context.state.update { v in
            v.lastScan = report
            v.phase = .watching
            v.wakeIngest = true
        }
    }

    private func reconcile(_ paths: Set<String>, layout: LibraryLayout, source: FileEventSource, on thread: WorkerThreads) async throws {
        let scanner = Scanner(layout: layout, catalog: context.catalog, logger: context.logger)
        let report = try await thread.run { try scanner.reconcile(paths: paths, onDirectory: source.watch) }
        // Folders gone or moved away stop being watched (a folder moved within the library was re-watched above).
        for path in paths where (try? Syscall.lstat(path))?.isDirectory != true { source.unwatchAll(path) }
        if report != ScanReport() {
            context.logger.debug("reconciled", metadata: ["paths": "\(paths.count)", "changes": "\(report.summary)"])
        }
        if report.added + report.changed > 0 {
            context.state.update { $0.wakeIngest = true }
        }
    }

    private func note(_ message: String, event: String) {
        context.logger.warning("\(message)")
        context.state.update { $0.watchNote = message }
        try? context.catalog.recordEvent(runID: context.runID, kind: event, detail: message)
    }
}

/// File events waiting to be acted on, filled by the consumer task and emptied by the service loop.
final class EventInbox: Sendable {
    struct Taken {
        var paths: Set<String> = []
        var overflow = false
        var watchLimit: String?
    }

    private struct Values {
        var debouncer: Debouncer
        var overflow = false
        var watchLimit: String?
    }

    private let values: Mutex<Values>

    init(quiet: Duration) {
        values = Mutex(Values(debouncer: Debouncer(quiet: quiet)))
    }

    /// Adds every batch from `events` until it ends.
    func consume(_ events: AsyncStream<[FileEvent]>) async {
        for await batch in events {
            let now = ContinuousClock.now
            values.withLock { v in
                for event in batch {
                    switch event {
                    case .changed(let path): v.debouncer.add([path], at: now)
                    case .overflow: v.overflow = true
                    case .watchLimit(let message): v.watchLimit = message
                    }
                }
            }
        }
    }

    /// Empties the inbox for a new event source.
    func reset(quiet: Duration) {
        values.withLock { $0 = Values(debouncer: Debouncer(quiet: quiet)) }
    }

    /// What is due at `now`: on overflow every waiting path is dropped, since a full rescan covers them.
    func take(at now: ContinuousClock.Instant) -> Taken {
        values.withLock { v in
            var taken = Taken()
            if v.overflow {
                v.overflow = false
                _ = v.debouncer.takeDue(at: now + .seconds(3600))
                taken.overflow = true
                return taken
            }
            taken.watchLimit = v.watchLimit
            v.watchLimit = nil
            taken.paths = v.debouncer.takeDue(at: now)
            return taken
        }
    }
}
