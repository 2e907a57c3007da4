import Catalog
import Foundation
import ServiceLifecycle
import Synchronization

/// Keeps the clusters and their folders in step with the catalogue: assigns new photos by the current head at once,
/// retrains in the background at low priority when enough changed or when asked, carries out the CLI's requests,
/// and rewrites the folders whenever what they show changed.
struct ClusterService: Service {
    let context: DaemonContext

    /// How often the service looks for work; a catalogue query each time, so not every tick.
    var interval: Duration { max(context.dependencies.tick, .milliseconds(500)) }

    func run() async throws {
        let trainer = WorkerThreads(count: 1, name: "herd.retrain", background: true)
        defer { trainer.shutdown() }
        let catalog = context.catalog, modelID = context.dependencies.extractor.modelID, cache = context.paths.cache
        let index = try await trainer.run { try PhotoIndex(catalog: catalog, modelID: modelID, cacheFolder: cache) }
        let retrain = RetrainSlot()
        let digests = context.dependencies.extractor.digests ?? PhotoDigests(cacheFolder: cache)
        var forced: (clusters: Int?, requestIDs: [Int64])?
        // Recluster requests the running retrain carries out: marked done only once its result is committed, so a
        // daemon killed mid-retrain finds them pending again at the next start.
        var carried: [Int64] = []
        var lastFingerprint = ""
        var duplicatesCaughtUp = ""
        var lastTried = -1
        var lastSave = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                try? await Task.sleep(for: interval)
                let herds = Herds(
                    catalog: catalog, modelID: modelID, configuration: context.state.configuration, index: index, logger: context.logger)
                    .with(digests: digests)
                do {
                    forced = try handleRequests(herds, retraining: retrain.isRunning, forced: forced, carried: carried)
                    if let finished = retrain.takeFinished() {
                        context.state.update { $0.retraining = false }
                        let result: String
                        switch finished {
                        case .success(let run?):
                            result = "retrained: \(run.photos) photos into \(run.clusters) clusters"
                            try? catalog.recordEvent(
                                runID: context.runID, kind: "retrain",
                                detail: "\(run.reason): \(run.photos) photos, \(run.clusters) clusters, \(run.method)")
                        case .success(nil):
                            result = "too few embedded photos to cluster"
                        case .failure(let error):
                            result = "error: retraining failed: \(error)"
                            context.logger.error("retraining failed", metadata: ["error": "\(error)"])
                            try? catalog.recordEvent(runID: context.runID, kind: "retrain-failed", detail: "\(error)")
                        }
                        for id in carried { try catalog.completeRequest(id, result: result) }
                        carried = []
                    }
                    _ = try await context.workers.run { try herds.assignNewPhotos() }
                    // Duplicates only when the photos changed, or the last pass left work (so an idle daemon stays idle).
                    let photosNow = try catalog.folderFingerprint()
                    if photosNow != duplicatesCaughtUp, try await context.workers.run({ try herds.updateDuplicates() }) == 0 {
                        duplicatesCaughtUp = photosNow
                    }
                    if !retrain.isRunning {
                        var reason: RetrainReason?
                        var clusters: Int?
                        if let request = forced {
                            (reason, clusters) = (.requested, request.clusters)
                            for id in request.requestIDs { try catalog.noteRequest(id, progress: "retrain started") }
                            carried = request.requestIDs
                            forced = nil
                        } else if let due = try herds.dueRetrain() {
                            // A first retrain that found too few photos is not retried until more arrive.
                            let embedded = try catalog.counts(modelID: modelID).embedded
                            if due != .first || embedded != lastTried { reason = due }
                            lastTried = embedded
                        }
                        if let reason {
                            let requested = clusters
                            retrain.start()
                            context.state.update { $0.retraining = true }
                            group.addTask {
                                let result = await Result(catching: { try await trainer.run { try herds.retrain(reason: reason, requestedClusters: requested, shouldStop: retrain.shouldStop) } })
                                retrain.finish(result)
                            }
                        }
                    }
                    let fingerprint = try catalog.folderFingerprint() + "|" + catalog.duplicatesFingerprint(modelID: modelID)
                    if fingerprint != lastFingerprint {
                        let changes = try await context.workers.run { try herds.writeFolders() }
                        lastFingerprint = fingerprint
                        if changes != FolderChanges() {
                            context.logger.debug("folders updated", metadata: ["changes": "\(changes)"])
                        }
                    }
                    if ContinuousClock.now - lastSave > .seconds(30) {
                        try index.saveIfChanged()
                        lastSave = ContinuousClock.now
                    }
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
                    try? await Task.sleep(for: .seconds(5))
                }
            }
            retrain.stop()
        }
        do {
            try index.saveIfChanged()
        } catch {
            context.logger.warning("cannot save the neighbour index; it is rebuilt at the next start", metadata: ["error": "\(error)"])
        }
    }

    /// Carries out queued label and merge requests (after a running retrain), and turns recluster requests into a
    /// forced retrain; returns the forced retrain still to start.
    private func handleRequests(
        _ herds: Herds, retraining: Bool, forced: (clusters: Int?, requestIDs: [Int64])?, carried: [Int64]
    ) throws -> (clusters: Int?, requestIDs: [Int64])? {
        var forced = forced
        for queued in try context.catalog.pendingRequests() {
            if case .recluster(let clusters) = queued.request {
                if forced?.requestIDs.contains(queued.id) == true || carried.contains(queued.id) { continue }
                _ = try herds.apply(queued.request)
                forced = (clusters ?? forced?.clusters, (forced?.requestIDs ?? []) + [queued.id])
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
        }
        return forced
    }
}

/// The one background retrain: whether it runs, its result once done, and the flag that asks it to stop.
final class RetrainSlot: Sendable {
    private let state = Mutex<(running: Bool, finished: Result<ClusterRun?, any Error>?)>((false, nil))
    private let stopping = Atomic<Bool>(false)

    var isRunning: Bool { state.withLock { $0.running } }

    func start() { state.withLock { $0 = (true, nil) } }

    func finish(_ result: Result<ClusterRun?, any Error>) { state.withLock { $0 = (false, result) } }

    /// The result of a finished retrain, once.
    func takeFinished() -> Result<ClusterRun?, any Error>? {
        state.withLock { v in
            defer { v.finished = nil }
            return v.finished
        }
    }

    func stop() { stopping.store(true, ordering: .relaxed) }

    var shouldStop: @Sendable () -> Bool { { [self] in self.stopping.load(ordering: .relaxed) } }
}

extension Result where Failure == any Error {
    /// The result of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
