import Catalog
import Foundation
import ServiceLifecycle
import Synchronization
import Tensor

/// Keeps the clusters and their folders in step with the catalogue: assigns new photos by the current head as soon as
/// ingest commits them, retrains in the background at low priority when enough changed or when asked, carries out the
/// CLI's requests, and rewrites the folders whenever what they show changed. It sleeps until another service tells it
/// something changed, a timer it set is due (the retrain interval, saving the index), or the CLI queued a request
/// (looked for once a second, reading only).
struct ClusterService: Service {
    let context: DaemonContext

    /// How often the catalogue's `requests` table is read for what the CLI queued.
    static let requestPoll = Duration.seconds(1)
    /// How long after a change the neighbour index is saved.
    static let indexSaveDelay = Duration.seconds(30)
    /// How soon upkeep that failed is tried again.
    static let failureRetry = Duration.seconds(5)

    func run() async throws {
        let trainer = context.retrainPool
        let catalog = context.catalog, modelID = context.dependencies.extractor.modelID, cache = context.paths.cache
        let clock = context.clock, channel = context.events.herdsChanged
        let index = try await trainer.run { try PhotoIndex(catalog: catalog, modelID: modelID, cacheFolder: cache) }
        let retrain = BackgroundSlot<Result<ClusterRun?, any Error>>()
        let stopping = StopSignal()
        let digests = context.dependencies.extractor.digests ?? PhotoDigests(cacheFolder: cache)
        var forced: (clusters: Int?, requestIDs: [Int64])?
        // Recluster requests the running retrain carries out: marked done only once its result is committed, so a
        // daemon killed mid-retrain finds them pending again at the next start.
        var carried: [Int64] = []
        var shown = ShownFolders()
        let listings = FolderListings()
        // Contents ingest committed since the last pass: assigned and linked on their own, unless the pass looks at
        // every photo: for assignment (`assignAll`) at the start, after a retrain, a request, a reload or a failed
        // pass; for the folders (`wholePass`) also after a scan of whole libraries.
        var committed = Set<Data>()
        // Paths whose links must go, since the last pass.
        var left = Set<String>()
        var assignAll = true
        var wholePass = true
        var duplicatesCaughtUp = ""
        // The overview pages and `_duplicates`, written in the background so that links never wait for them.
        let overview = BackgroundSlot<OverviewWritten>()
        var lastTried = -1
        var indexSaveDue: ContinuousClock.Instant?
        // `Catalog.contentRemovals` when photos whose files are gone were last forgotten (nil: not yet).
        var forgottenAt: Int?
        // The first pass looks at everything: photos committed, requests queued and retrains due while it was stopped.
        var deadline: ContinuousClock.Instant? = clock.now()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await watchRequests(catalog: catalog, clock: clock, channel: channel) }
            await withGracefulShutdownHandler {
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    let change = await channel.next(until: deadline.map { min($0, indexSaveDue ?? $0) } ?? indexSaveDue, clock: clock)
                    if Task.isShuttingDownGracefully || Task.isCancelled { break }
                    let now = clock.now()
                    if let due = indexSaveDue, now >= due {
                        do {
                            try index.saveIfChanged()
                        } catch {
                            context.logger.warning("cannot save the neighbour index; it is rebuilt at the next start", metadata: ["error": "\(error)"])
                        }
                        indexSaveDue = nil
                        if change == nil && (deadline.map { now < $0 } ?? true) { continue }
                    }
                    deadline = nil
                    if let change {
                        committed.formUnion(change.contents)
                        left.formUnion(change.leftPaths)
                        if change.requests || change.retrainFinished || change.configuration { assignAll = true }
                        if assignAll || change.filesChanged { wholePass = true }
                    }
                    let herds = Herds(
                        catalog: catalog, modelID: modelID, configuration: context.state.configuration, index: index, logger: context.logger,
                        folderListings: listings
                    ).with(digests: digests)
                    do {
                        let handled: Bool
                        (forced, handled) = try handleRequests(herds, retraining: retrain.isRunning, forced: forced, carried: carried)
                        // A label or merge changes names and places of photos any pass may have picked up.
                        if handled { (assignAll, wholePass) = (true, true) }
                        if let finished = retrain.takeFinished() {
                            finish(finished, carried: carried)
                            carried = []
                            // Photos committed while it ran were assigned by the head it replaced.
                            (assignAll, wholePass) = (true, true)
                            indexSaveDue = indexSaveDue ?? now + Self.indexSaveDelay
                        }
                        // Contents no file holds any more are looked for only after files left (a pass over all photos).
                        let removals = try catalog.contentRemovals()
                        let forget = removals != forgottenAt
                        let among = assignAll ? nil : committed
                        let assigning = clock.now()
                        if try await context.workers.run({ try herds.assignNewPhotos(forgetOrphans: forget, among: among) }) > 0 {
                            indexSaveDue = indexSaveDue ?? now + Self.indexSaveDelay
                        }
                        let linking = clock.now()
                        // New photos get their links before the slower duplicate upkeep below.
                        let whole = wholePass || shown.photos.isEmpty
                        let incremental = !whole && !(committed.isEmpty && left.isEmpty)
                        if whole {
                            try await writeFolders(herds, shown: &shown)
                        } else if incremental {
                            try await linkCommitted(committed, removing: left, herds, shown: &shown)
                        }
                        (committed, left) = ([], [])
                        let linked = clock.now()
                        if linked - now >= Self.slowPass {
                            context.logger.debug("herds pass: links written", metadata: [
                                "whole": "\(whole)", "seconds": "\((linked - now).secondsText)", "assigning": "\((linking - assigning).secondsText)",
                                "linking": "\((linked - linking).secondsText)"])
                        }
                        // What the folders show now; nothing below changes it (whatever else does sends an event, and the next
                        // pass looks again).
                        let photosNow = try catalog.folderFingerprint()
                        if incremental { shown.photos = photosNow }
                        // Duplicates only when the photos changed, or the last pass left work (then the next pass comes at once).
                        if photosNow != duplicatesCaughtUp {
                            if try await context.workers.run({
                                try herds.updateDuplicates(forgetOrphans: forget, shouldStop: stopping.shouldStop)
                            }) == 0 {
                                duplicatesCaughtUp = photosNow
                                context.state.update { $0.catchingUp = nil }
                            } else {
                                context.state.update { $0.catchingUp = "looking for duplicates and making thumbnails" }
                                deadline = now
                            }
                        }
                        if !retrain.isRunning {
                            var reason: RetrainReason?
                            var clusters: Int?
                            if let request = forced {
                                (reason, clusters) = (.requested, request.clusters)
                                for id in request.requestIDs { try catalog.noteRequest(id, progress: "retrain started") }
                                carried = request.requestIDs
                                forced = nil
                            } else if let due = try herds.dueRetrain(now: clock.date()) {
                                // A first retrain that found too few photos is not retried until more arrive.
                                let embedded = try catalog.counts(modelID: modelID).embedded
                                if due != .first || embedded != lastTried { reason = due }
                                lastTried = embedded
                            } else if let next = try herds.nextRetrainCheck(), next > clock.date() {
                                // Enough new photos may be waiting for the retrain interval to pass.
                                let at = clock.instant(at: next)
                                deadline = deadline.map { min($0, at) } ?? at
                            }
                            if let reason {
                                let requested = clusters
                                retrain.start()
                                context.state.update { $0.retraining = true }
                                group.addTask {
                                    let result = await Result(catching: {
                                        try await trainer.run {
                                            try herds.retrain(reason: reason, requestedClusters: requested, pool: trainer, shouldStop: stopping.shouldStop)
                                        }
                                    })
                                    Syscall.releaseFreedMemory()
                                    retrain.finish(result)
                                    channel.send(HerdsChange(retrainFinished: true))
                                }
                            }
                        }
                        (assignAll, wholePass) = (false, false)
                        if let written = overview.takeFinished() {
                            shown.overviewAt = written.at
                            shown.overviewTook = written.took
                            if let error = written.error { throw error }
                            shown.overview = written.shows
                        }
                        if !overview.isRunning,
                           case let wanted = try photosNow + "|" + catalog.duplicatesFingerprint(modelID: modelID),
                           wanted != shown.overview {
                            let gap = max(Self.overviewGap, shown.overviewTook * 4)
                            if let at = shown.overviewAt, now - at < gap {
                                deadline = deadline.map { min($0, at + gap) } ?? at + gap
                            } else {
                                overview.start()
                                let pool = context.workers, logger = context.logger
                                group.addTask {
                                    let started = clock.now()
                                    let result = await Result(catching: { try await pool.run { try herds.writeOverview() } })
                                    let took = clock.now() - started
                                    logger.debug("overview updated", metadata: ["seconds": "\(String(format: "%.2f", took.inSeconds))"])
                                    Syscall.releaseFreedMemory()
                                    overview.finish(OverviewWritten(shows: wanted, at: started, took: took, error: result.failure))
                                    channel.send(HerdsChange(overviewWritten: true))
                                }
                            }
                        }
                        forgottenAt = removals
                        context.state.update { $0.upkeepError = nil }
                    } catch {
                        // Shown by `herd status` until upkeep succeeds again.
                        let known = context.state.update { v -> Bool in
                            defer { v.upkeepError = "\(error)" }
                            return v.upkeepError == "\(error)"
                        }
                        if !known {
                            context.logger.error("cluster upkeep failed; retrying every 5 s", metadata: ["error": "\(error)"])
                            try? catalog.recordEvent(runID: context.runID, kind: "clusters-failed", detail: "\(error)")
                        }
                        deadline = now + Self.failureRetry
                        (assignAll, wholePass) = (true, true)
                    }
                }
            } onGracefulShutdown: {
                // A running retrain and the duplicate upkeep stop at their next check, so a stop does not wait for them.
                stopping.stop()
                channel.interrupt()
            }
            stopping.stop()
            group.cancelAll()
        }
        do {
            try index.saveIfChanged()
        } catch {
            context.logger.warning("cannot save the neighbour index; it is rebuilt at the next start", metadata: ["error": "\(error)"])
        }
    }

    /// Rewrites the herd folders (links, contact sheets) when photos, herds or labels changed since `shown`.
    private func writeFolders(_ herds: Herds, shown: inout ShownFolders) async throws {
        let catalog = context.catalog, clock = context.clock
        let photos = try catalog.folderFingerprint()
        guard photos != shown.photos else { return }
        let writing = clock.now()
        let changes = try await context.workers.run { try herds.writeFolders(overview: false) }
        Syscall.releaseFreedMemory()
        shown.photos = photos
        if changes != FolderChanges() {
            let seconds = String(format: "%.2f", (clock.now() - writing).inSeconds)
            context.logger.debug("folders updated", metadata: ["changes": "\(changes)", "seconds": "\(seconds)"])
        }
    }

    /// Links the files holding `contents` (committed by ingest, or moved) and takes away the links to `removing` without
    /// comparing every photo with the folders; the whole tree when a folder must be renamed first. (Everything else
    /// that changes the folders comes with its own event, which makes the next pass a whole one.)
    private func linkCommitted(_ contents: Set<Data>, removing: Set<String>, _ herds: Herds, shown: inout ShownFolders) async throws {
        let clock = context.clock, writing = clock.now()
        guard let changes = try await context.workers.run({ try herds.linkCommitted(contents, removing: removing) }) else {
            try await writeFolders(herds, shown: &shown)
            return
        }
        if changes != FolderChanges() {
            context.logger.debug("links added", metadata: ["changes": "\(changes)", "seconds": "\((clock.now() - writing).secondsText)"])
        }
    }

    /// A pass whose links took this long or longer says how its time went (debug log).
    static let slowPass = Duration.milliseconds(200)

    /// The shortest time between two writes of the overview pages and `_duplicates`; also at least four times the
    /// last write's time (with 100,000 photos they take seconds, so a stream of changes does not keep them busy).
    static let overviewGap = Duration.seconds(2)

    /// Records a finished retrain and completes the recluster requests it carried out.
    private func finish(_ finished: Result<ClusterRun?, any Error>, carried: [Int64]) {
        context.state.update { $0.retraining = false }
        let result: String
        switch finished {
        case .success(let run?):
            result = "retrained: \(run.photos) photos into \(run.clusters) clusters"
            try? context.catalog.recordEvent(
                runID: context.runID, kind: "retrain", detail: "\(run.reason): \(run.photos) photos, \(run.clusters) clusters, \(run.method)")
        case .success(nil):
            result = "too few embedded photos to cluster"
        case .failure(let error):
            result = "error: retraining failed: \(error)"
            context.logger.error("retraining failed", metadata: ["error": "\(error)"])
            try? context.catalog.recordEvent(runID: context.runID, kind: "retrain-failed", detail: "\(error)")
        }
        for id in carried {
            do {
                try context.catalog.completeRequest(id, result: result)
            } catch {
                context.logger.warning("cannot mark a request done; it is carried out again", metadata: ["request": "\(id)", "error": "\(error)"])
            }
        }
    }

    /// Reads the `requests` table once a second (a read, so an idle catalogue and its WAL do not grow) and says so when
    /// the CLI queued something new; until cancelled.
    private func watchRequests(catalog: Catalog, clock: DaemonClock, channel: EventChannel<HerdsChange>) async {
        var seen: [Int64] = []
        while !Task.isCancelled {
            guard (try? await clock.sleep(clock.now() + Self.requestPoll)) != nil else { return }
            guard let pending = try? catalog.pendingRequests().map(\.id) else { continue }
            if !pending.isEmpty && pending != seen { channel.send(HerdsChange(requests: true)) }
            seen = pending
        }
    }

    /// Carries out queued label and merge requests (after a running retrain), and turns recluster requests into a
    /// forced retrain; returns the forced retrain still to start, and whether a request was carried out.
    private func handleRequests(
        _ herds: Herds, retraining: Bool, forced: (clusters: Int?, requestIDs: [Int64])?, carried: [Int64]
    ) throws -> ((clusters: Int?, requestIDs: [Int64])?, Bool) {
        var forced = forced
        var handled = false
        for queued in try context.catalog.pendingRequests() {
            if case .recluster(let clusters) = queued.request {
                if forced?.requestIDs.contains(queued.id) == true || carried.contains(queued.id) { continue }
                _ = try herds.apply(queued.request)
                forced = (clusters ?? forced?.clusters, (forced?.requestIDs ?? []) + [queued.id])
                handled = true
                continue
            }
            // Labels and merges wait for a running retrain, whose ids they refer to.
            if retraining { continue }
            let result: String
            do {
                result = try herds.apply(queued.request)
            } catch {
                result = "error: \(error)"
            }
            try context.catalog.completeRequest(queued.id, result: result)
            handled = true
        }
        return (forced, handled)
    }
}

/// A job the herds service runs in the background (a retrain, an overview write): whether it runs, and its outcome,
/// handed over once to the service's next pass.
final class BackgroundSlot<Outcome: Sendable>: Sendable {
    private let state = Mutex<(running: Bool, finished: Outcome?)>((false, nil))

    var isRunning: Bool { state.withLock { $0.running } }

    func start() { state.withLock { $0 = (true, nil) } }

    func finish(_ outcome: Outcome) { state.withLock { $0 = (false, outcome) } }

    /// The outcome of a finished job, once.
    func takeFinished() -> Outcome? {
        state.withLock { v in
            defer { v.finished = nil }
            return v.finished
        }
    }
}

/// Raised when the service stops: a running retrain and the duplicate upkeep end at their next check.
final class StopSignal: Sendable {
    private let stopping = Atomic<Bool>(false)

    func stop() { stopping.store(true, ordering: .relaxed) }

    var shouldStop: @Sendable () -> Bool { { [self] in self.stopping.load(ordering: .relaxed) } }
}

extension Result where Failure == any Error {
    /// The result of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// What the output shows: the photos' places in the herd folders, and places plus duplicate groups in the overview
/// pages and `_duplicates` (with when and how long those were last written).
struct ShownFolders {
    var photos = ""
    var overview = ""
    var overviewAt: ContinuousClock.Instant?
    var overviewTook = Duration.zero
}

/// An overview write, as the herds service's next pass takes it.
struct OverviewWritten: Sendable {
    /// The fingerprint the pages were written for.
    var shows: String
    var at: ContinuousClock.Instant
    var took: Duration
    var error: (any Error)?
}

extension Result {
    /// The error of a failure, nil for a success.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
