import Catalog
import Clustering
import Foundation
import Index
import Tensor

/// Why the daemon retrains now, or nil.
public enum RetrainReason: String, Sendable {
    /// No head yet, and enough photos.
    case first
    /// Enough new photos since the last retrain.
    case newPhotos = "new photos"
    /// `herd recluster`.
    case requested
}

extension Herds {
    /// Neighbours per photo looked up for a retrain: the paper's K = 20 to train on, and ranks 20..<60 that judge
    /// the trained head against its start (`RobustTSP.heldOutFactor`).
    static let neighbours = 20 * RobustTSP.heldOutFactor

    /// Whether an automatic retrain is due: the first once ingest is idle (or enough photos exist), later when new
    /// photos since the last one reach max(`retrain_min_new`, `retrain_fraction` of the library) and the interval passed.
    public func dueRetrain(now: Date = Date()) throws -> RetrainReason? {
        // The counts pass over every photo: asked only when the answer can be yes.
        guard let last = try catalog.latestClusterRun(), try catalog.currentHead(modelID: modelID) != nil else {
            let counts = try catalog.counts(modelID: modelID)
            let enough = counts.embedded >= 4 && (counts.pending == 0 || counts.embedded >= configuration.retrainMinimumNew)
            return enough ? .first : nil
        }
        guard now.timeIntervalSince(last.at) >= Double(configuration.retrainIntervalMinutes) * 60 else { return nil }
        let new = try catalog.photosAssigned(after: last.at)
        if new < configuration.retrainMinimumNew { return nil }
        let counts = try catalog.counts(modelID: modelID)
        let threshold = max(configuration.retrainMinimumNew, Int((configuration.retrainFraction * Double(counts.embedded)).rounded(.up)))
        return new >= threshold ? .newPhotos : nil
    }

    /// When `dueRetrain` should look again although nothing else changes: the end of the retrain interval, when photos
    /// arrived since the last retrain (nil: only new photos can make a retrain due).
    public func nextRetrainCheck() throws -> Date? {
        guard let last = try catalog.latestClusterRun(), try catalog.photosAssigned(after: last.at) > 0 else { return nil }
        return last.at.addingTimeInterval(Double(configuration.retrainIntervalMinutes) * 60)
    }

    /// Retrains the head on every embedded photo (warm from the current head when the cluster count is unchanged),
    /// keeps cluster ids where the photos stay, and records the run. Nil when there are too few photos. Every parallel
    /// loop (neighbour search, training) runs on `pool`: the daemon's background pool, whose threads run at idle
    /// priority (nil: a pool of the configured `threads` at normal priority, as `herd recluster` without a daemon uses).
    public func retrain(
        reason: RetrainReason, requestedClusters: Int? = nil, pool: ComputePool? = nil, shouldStop: () -> Bool = { false }
    ) throws -> ClusterRun? {
        let pool = pool ?? ComputePool(threads: configuration.threads, name: "herd.retrain")
        let started = Date()
        let photos = try catalog.allPhotoFeatures(modelID: modelID)
        guard let dimension = photos.first?.vector.count else { return nil }
        let usable = photos.filter { $0.vector.count == dimension }
        let stored = try catalog.currentHead(modelID: modelID)
        let previous = stored.flatMap { try? ClusterHead(bytes: $0.bytes, path: "head \($0.id)") }
        // A catalogue that never clustered may be a rebuilt one: its old clusters come back from the journal.
        let restoring = try stored == nil && catalog.latestClusterRun() == nil ? try journalPreviousIDs(for: usable) : nil
        let x = Tensor(shape: [usable.count, dimension], data: usable.flatMap(\.vector))
        let keys = usable.compactMap(\.key)
        var source = "index"
        var graph: NeighbourGraph?
        if keys.count == usable.count, index.contains(all: keys) {
            graph = index.graph(keys: keys, features: x, k: Self.neighbours)
        }
        if graph == nil {
            // Photos not in the index yet (the first retrain): exact neighbours.
            source = "exact"
            graph = ExactSearch.graph(x, k: Self.neighbours, metric: .cosine, pool: pool)
        }
        let k = try clusterCount(photos: usable.count, requested: requestedClusters, previous: previous?.clusters, features: x, graph: graph)
        guard usable.count > k, k >= 2 else {
            logger.info("too few photos to cluster", metadata: ["photos": "\(usable.count)", "clusters": "\(k)"])
            return nil
        }
        let seed = UInt64(stored?.id ?? 0) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(usable.count)
        let outcome = try Retraining(clusters: k, seed: seed, steps: configuration.trainSteps > 0 ? configuration.trainSteps : nil,
                                     pool: pool)
            .run(features: x, graph: graph ?? ExactSearch.graph(x, k: Self.neighbours, metric: .cosine, pool: pool), previous: previous,
                 previousIDs: restoring?.ids ?? usable.map { $0.clusterID ?? -1 }, shouldStop: shouldStop)
        let run = ClusterRun(
            at: Date(), reason: reason.rawValue, method: (outcome.warm ? "warm" : "cold") + ", \(source) neighbours", photos: usable.count,
            clusters: k, loss: outcome.loss.isFinite ? Double(outcome.loss) : nil, churn: outcome.churn,
            seconds: Date().timeIntervalSince(started))
        let assignments = usable.enumerated().map { i, photo in
            Assignment(contentHash: photo.contentHash, clusterID: outcome.ids[i], probability: Double(outcome.probabilities[i]))
        }
        try catalog.commitRetrain(
            headBytes: outcome.head.serialised(), modelID: modelID, clusterIDs: outcome.clusterIDs, assignments: assignments, run: run)
        if let journal = restoring?.journal { try restoreLabels(from: journal) }
        writeJournal()
        // Photos clustered for the first time got their keys just now.
        let missing = try catalog.assignedKeys().keys.filter { !index.contains(all: [$0]) }
        index.insert(try catalog.photoFeatures(keys: missing, modelID: modelID).map { (key: $0.key, vector: $0.value.vector) })
        logger.info(
            "retrained", metadata: ["reason": "\(reason.rawValue)", "photos": "\(run.photos)", "clusters": "\(k)", "method": "\(run.method)",
                                    "churn": "\(run.churn.map { String(format: "%.3f", $0) } ?? "-")"])
        return run
    }
}
