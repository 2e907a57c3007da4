import ArgumentParser
import Catalog
import Daemon
import Foundation

/// Carries out a label, merge or recluster request: queued for the daemon when one holds the catalogue (it is the
/// only writer), else done here under the writer lock, folders included.
struct ClusterRequestDelivery {
    var paths: PathOptions

    /// What became of the request.
    struct Outcome: Encodable {
        /// What happened, for the user.
        var result: String
        /// True when the running daemon was asked to do it.
        var daemon: Bool
        /// The retrain, when one ran here (or was waited for).
        var run: ClusterRun?
    }

    /// Delivers `request`; with `waitForRetrain`, a recluster handed to the daemon is waited for until its run is recorded.
    func deliver(_ request: ClusterRequest, waitForRetrain: Bool = false) async throws -> Outcome {
        let setup = try DaemonSetup(paths: paths)
        let lock: WriterLock
        do {
            lock = try WriterLock(catalogPath: setup.paths.catalog)
        } catch let error as DaemonError where error.code == .busy {
            return try await queue(request, catalogPath: setup.paths.catalog, waitForRetrain: waitForRetrain)
        }
        let catalog = try Catalog.openForWriting(path: setup.paths.catalog)
        let modelID = try catalog.latestRun()?.modelID ?? setup.configuration.model
        let index = try PhotoIndex(catalog: catalog, modelID: modelID, cacheFolder: setup.paths.cache)
        let herds = Herds(catalog: catalog, modelID: modelID, configuration: setup.configuration, index: index, logger: DaemonSetup.logger())
            .with(digests: PhotoDigests(cacheFolder: setup.paths.cache))
        var result: String
        do {
            result = try herds.apply(request)
        } catch let error as DaemonError where error.code == .request {
            throw ValidationError(error.message)
        }
        var run: ClusterRun?
        if case .recluster(let clusters) = request {
            try herds.assignNewPhotos()
            run = try herds.retrain(reason: .requested, requestedClusters: clusters)
            if run == nil { result = "too few embedded photos to cluster; add photos and run `herd scan` or `herd run`" }
        }
        try herds.assignNewPhotos()
        while try herds.updateDuplicates() > 0 {}
        try herds.writeFolders()
        try index.saveIfChanged()
        withExtendedLifetime(lock) {}
        return Outcome(result: result, daemon: false, run: run)
    }

    private func queue(_ request: ClusterRequest, catalogPath: String, waitForRetrain: Bool) async throws -> Outcome {
        let catalog = try Catalog.openForRequests(path: catalogPath)
        let before = try catalog.latestClusterRun()
        let id = try catalog.enqueue(request)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let handled = try catalog.request(id: id), let result = handled.result {
                if result.hasPrefix("error: ") { throw ValidationError(String(result.dropFirst(7))) }
                guard case .recluster = request, waitForRetrain else { return Outcome(result: result, daemon: true, run: nil) }
                // The daemon started the retrain; wait for its record.
                let retrainDeadline = ContinuousClock.now + .seconds(600)
                while ContinuousClock.now < retrainDeadline {
                    if let run = try catalog.latestClusterRun(), run != before {
                        return Outcome(result: "retrained", daemon: true, run: run)
                    }
                    try await Task.sleep(for: .milliseconds(200))
                }
                return Outcome(result: "the daemon is still retraining; `herd status` shows the run when it is done", daemon: true, run: nil)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return Outcome(result: "queued; the daemon is busy (retraining) and carries it out next", daemon: true, run: nil)
    }
}
