import Catalog
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Tensor

/// Keeps the catalogue in step with the libraries: a full scan at start, then watched paths reconciled after a
/// quiet period, a full rescan after a lost event queue, on a timer, and after a configuration reload.
struct LibraryService: Service {
    let context: DaemonContext

    /// How often a full rescan runs while the watch limit leaves folders unwatched.
    static let degradedRescanInterval = Duration.seconds(300)
    /// How soon a scan that found the disk full is tried again.
    static let diskFullRetry = Duration.seconds(10)

    func run() async throws {
        let scanThread = ComputePool(threads: 1, name: "herd.scan")
        var configuration = context.state.configuration
        var source = try context.dependencies.makeFileEvents()
        let clock = context.clock, channel = context.events.libraryChanged
        let inbox = EventInbox(quiet: .milliseconds(configuration.debounceMilliseconds), clock: clock, channel: channel)
        try await withThrowingTaskGroup(of: Void.self) { group in
            let firstSource = source
            group.addTask { await inbox.consume(firstSource.events) }
            var layout = LibraryLayout(roots: configuration.libraries, output: configuration.output)
            var nextRescan = clock.now() + .seconds(configuration.rescanIntervalSeconds)
            if try await !fullScan(layout: layout, source: source, on: scanThread, reason: "initial scan") {
                nextRescan = clock.now() + Self.diskFullRetry
            }
            var nextPoll = clock.now() + .seconds(configuration.libraryPollSeconds)
            try await withGracefulShutdownHandler {
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    // Asleep until file events (or a reload) arrive, the debounce lets them go, or a timer is due.
                    var deadline = min(nextRescan, inbox.due ?? nextRescan)
                    if context.state.read({ !$0.unavailable.isEmpty }) { deadline = min(deadline, nextPoll) }
                    _ = await channel.next(until: deadline, clock: clock)
                    if Task.isShuttingDownGracefully || Task.isCancelled { break }
                    let now = clock.now()
                    if let reloaded = context.state.update({ v -> HerdConfiguration? in
                        defer { v.reload = nil }
                        if let new = v.reload {
                            v.configuration = new
                            v.unavailable = v.unavailable.filter { new.libraries.contains($0.key) }
                        }
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
                        let scanned = try await fullScan(layout: layout, source: source, on: scanThread, reason: "configuration reloaded")
                        nextRescan = now + (scanned ? .seconds(configuration.rescanIntervalSeconds) : Self.diskFullRetry)
                        continue
                    }
                    let taken = inbox.take(at: now)
                    if taken.overflow {
                        note("inotify event queue overflowed; rescanned the libraries", event: "overflow")
                        if try await !fullScan(layout: layout, source: source, on: scanThread, reason: "event queue overflow") {
                            nextRescan = now + Self.diskFullRetry
                        }
                        continue
                    }
                    if let limit = taken.watchLimit {
                        note(limit, event: "watch-limit")
                        nextRescan = min(nextRescan, now + Self.degradedRescanInterval)
                    }
                    if !taken.paths.isEmpty {
                        if try await !reconcile(taken.paths, layout: layout, source: source, on: scanThread) {
                            // The changes were not recorded (disk full): a full rescan finds them once there is space.
                            nextRescan = now + Self.diskFullRetry
                        }
                    }
                    if now >= nextPoll {
                        nextPoll = now + .seconds(configuration.libraryPollSeconds)
                        let missing = context.state.update { Array($0.unavailable.keys) }
                        if !missing.isEmpty {
                            // A remounted disk raises no inotify event: look again at each unavailable root.
                            _ = try await reconcile(Set(missing), layout: layout, source: source, on: scanThread)
                        }
                    }
                    if now >= nextRescan {
                        let scanned = try await fullScan(layout: layout, source: source, on: scanThread, reason: "periodic rescan")
                        let degraded = context.state.update { $0.watchNote != nil }
                        let interval = Duration.seconds(configuration.rescanIntervalSeconds)
                        nextRescan = now + (scanned ? (degraded ? min(interval, Self.degradedRescanInterval) : interval) : Self.diskFullRetry)
                    }
                }
            } onGracefulShutdown: {
                channel.interrupt()
            }
            source.stop()
            group.cancelAll()
        }
    }

    /// Walks every library; false when the disk was full and nothing was recorded.
    private func fullScan(layout: LibraryLayout, source: FileEventSource, on thread: ComputePool, reason: String) async throws -> Bool {
        context.state.update { $0.phase = .scanning }
        defer { context.state.update { v in if v.phase == .scanning { v.phase = .watching } } }
        let scanner = Scanner(layout: layout, catalog: context.catalog, logger: context.logger)
        let started = context.clock.now()
        // Folders are watched as the walk finds them, so changes during the scan are not missed.
        let report: ScanReport
        do {
            report = try await thread.run { try scanner.reconcileAll(onDirectory: source.watch) }
        } catch let error as CatalogError where error.code == .diskFull {
            diskFull(error)
            return false
        }
        watchParents(of: layout, source: source)
        updateAvailability(report, source: source)
        let seconds = (context.clock.now() - started).inSeconds
        context.logger.info("scan finished", metadata: ["reason": "\(reason)", "changes": "\(report.summary)", "files": "\(report.seen)"])
        try? context.catalog.recordEvent(
            runID: context.runID, kind: "scan",
            detail: "\(reason): \(report.seen) files in \(report.directories) folders, \(report.summary) (\(String(format: "%.1f", seconds)) s)")
        context.state.update { $0.lastScan = report }
        context.events.pendingChanged.send(())
        context.events.herdsChanged.send(HerdsChange(filesChanged: true))
        return true
    }

    /// Reconciles the paths the watcher reported; false when the disk was full and nothing was recorded.
    private func reconcile(_ paths: Set<String>, layout: LibraryLayout, source: FileEventSource, on thread: ComputePool) async throws -> Bool {
        let scanner = Scanner(layout: layout, catalog: context.catalog, logger: context.logger)
        let report: ScanReport
        let started = context.clock.now()
        do {
            report = try await thread.run { try scanner.reconcile(paths: paths, onDirectory: source.watch) }
        } catch let error as CatalogError where error.code == .diskFull {
            diskFull(error)
            return false
        }
        // Folders gone or moved away stop being watched (a folder moved within the library was re-watched above).
        for path in paths where (try? Syscall.lstat(path))?.isDirectory != true { source.unwatchAll(path) }
        updateAvailability(report, source: source)
        if report != ScanReport() {
            context.logger.debug(
                "reconciled", metadata: ["paths": "\(paths.count)", "changes": "\(report.summary)", "seconds": "\((context.clock.now() - started).secondsText)"])
        }
        if report.added + report.changed > 0 || !report.presentRoots.isEmpty {
            context.events.pendingChanged.send(())
        }
        // New files are assigned and linked once ingest commits them; files that left, moved or changed move links:
        // the herds service takes those links away and links moved files at their new paths, without a whole pass.
        if report.movesLinks {
            context.events.herdsChanged.send(HerdsChange(contents: report.movedContents, leftPaths: report.leftPaths))
        }
        return true
    }

    /// Each root's parent is watched too, so a root renamed back, or created again, is seen at once.
    private func watchParents(of layout: LibraryLayout, source: FileEventSource) {
        for root in layout.roots where root != "/" {
            let parent = (root as NSString).deletingLastPathComponent
            if (try? Syscall.lstat(parent))?.isDirectory == true { source.watch(parent) }
        }
    }

    /// Records roots that became unavailable (rows kept, watches dropped) or came back (rescanned by the caller).
    private func updateAvailability(_ report: ScanReport, source: FileEventSource) {
        for (root, reason) in report.unavailableRoots.sorted(by: { $0.key < $1.key }) {
            let isNew = context.state.update { v -> Bool in
                if v.unavailable[root] != nil {
                    v.unavailable[root]?.reason = reason
                    return false
                }
                v.unavailable[root] = RunHealth.UnavailableLibrary(path: root, reason: reason, since: Date())
                return true
            }
            guard isNew else { continue }
            // Watches follow the folder's inode: a renamed root would report its events under the old name.
            source.unwatchAll(root)
            context.logger.warning(
                "library unavailable; its photos, clusters and links are kept until it is back", metadata: ["path": "\(root)", "reason": "\(reason)"])
            try? context.catalog.recordEvent(runID: context.runID, kind: "library-unavailable", detail: "\(root): \(reason)")
        }
        for root in report.presentRoots {
            let wasMissing = context.state.update { v -> Bool in
                defer { v.unavailable[root] = nil }
                return v.unavailable[root] != nil
            }
            guard wasMissing else { continue }
            context.logger.notice("library is back; rescanned it", metadata: ["path": "\(root)"])
            try? context.catalog.recordEvent(runID: context.runID, kind: "library-available", detail: "\(root) is back")
        }
    }

    private func diskFull(_ error: CatalogError) {
        context.reserve.release()
        context.logger.warning("the disk is full; changes will be scanned again when space is freed", metadata: ["error": "\(error.message)"])
        context.state.update { $0.diskFull = "the disk holding \(context.catalog.path) is full; herd resumes by itself when space is freed" }
    }

    private func note(_ message: String, event: String) {
        context.logger.warning("\(message)")
        context.state.update { $0.watchNote = message }
        try? context.catalog.recordEvent(runID: context.runID, kind: event, detail: message)
    }
}

/// File events waiting to be acted on, filled by the consumer task (which wakes the service loop through `channel`)
/// and emptied by the service loop.
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
    private let clock: DaemonClock
    private let channel: EventChannel<Void>

    init(quiet: Duration, clock: DaemonClock, channel: EventChannel<Void>) {
        values = Mutex(Values(debouncer: Debouncer(quiet: quiet)))
        self.clock = clock
        self.channel = channel
    }

    /// When the waiting paths are due (nil: none wait); an overflow or watch-limit note is due at once.
    var due: ContinuousClock.Instant? {
        values.withLock { v in v.overflow || v.watchLimit != nil ? clock.now() : v.debouncer.due }
    }

    /// Adds every batch from `events` until it ends.
    func consume(_ events: AsyncStream<[FileEvent]>) async {
        for await batch in events {
            let now = clock.now()
            values.withLock { v in
                for event in batch {
                    switch event {
                    case .changed(let path): v.debouncer.add([path], at: now)
                    case .overflow: v.overflow = true
                    case .watchLimit(let message): v.watchLimit = message
                    }
                }
            }
            channel.send(())
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
