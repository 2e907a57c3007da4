import Catalog
import Clustering
import Foundation
import Index
import Logging
import Tensor

/// The photos' clusters ("herds"): instant assignment by the current head, retraining, user requests and the
/// folders of links. Every method is synchronous and may take a while: callers run them on worker threads.
/// Used by the daemon's cluster service, and by the CLI itself when no daemon holds the catalogue.
public struct Herds: Sendable {
    /// The catalogue (opened for writing: the caller holds the writer lock).
    public var catalog: Catalog
    /// The model whose features are clustered.
    public var modelID: String
    /// Settings: output folder, cluster count, retrain thresholds.
    public var configuration: HerdConfiguration
    /// The neighbour index.
    public var index: PhotoIndex
    /// Where diagnostics go.
    public var logger: Logger
    /// Signatures and thumbnails: with them, duplicates are kept and the overview pages written (Docs/OVERVIEW.md).
    public var digests: PhotoDigests? = nil
    /// What the cluster folders held when last written (the daemon keeps one across passes); nil reads them all.
    public var folderListings: FolderListings? = nil

    /// Photos assigned per catalogue transaction.
    static let assignmentBatch = 1024

    /// Clusters for `modelID` in `catalog`.
    public init(
        catalog: Catalog, modelID: String, configuration: HerdConfiguration, index: PhotoIndex, logger: Logger, folderListings: FolderListings? = nil
    ) {
        self.folderListings = folderListings
        self.catalog = catalog
        self.modelID = modelID
        self.configuration = configuration
        self.index = index
        self.logger = logger
    }

    /// Assigns every embedded photo that has no cluster from the current head yet (no training) and adds it to the
    /// index; with `forgetOrphans`, first forgets photos whose files are gone (a pass over every assignment: the
    /// daemon asks for it only after files left, `Catalog.contentRemovals`). With `contents`, looks at those alone
    /// (what ingest just committed) instead of every photo. Returns the number of photos assigned.
    @discardableResult
    public func assignNewPhotos(forgetOrphans: Bool = true, among contents: Set<Data>? = nil) throws -> Int {
        if forgetOrphans { index.remove(try catalog.removeOrphanAssignments()) }
        guard let stored = try catalog.currentHead(modelID: modelID) else { return 0 }
        let head = try ClusterHead(bytes: stored.bytes, path: "head \(stored.id) in \(catalog.path)")
        var assigned = 0
        // Given contents are listed at once (a few per batch); otherwise the catalogue is asked a batch at a time.
        var listed = try contents.map { try catalog.photosNeedingAssignment(modelID: modelID, headID: stored.id, among: $0) }
        while true {
            let photos: [PhotoFeatures]
            if let rest = listed {
                photos = Array(rest.prefix(Self.assignmentBatch))
                listed = Array(rest.dropFirst(photos.count))
            } else {
                photos = try catalog.photosNeedingAssignment(modelID: modelID, headID: stored.id, limit: Self.assignmentBatch)
            }
            let fitting = photos.filter { $0.vector.count == head.dimension }
            if !fitting.isEmpty {
                let x = Tensor(shape: [fitting.count, head.dimension], data: fitting.flatMap(\.vector))
                let assignments = zip(fitting, head.probabilities(x).rowMaxima()).map { photo, best in
                    Assignment(contentHash: photo.contentHash, clusterID: stored.clusterIDs[best.column], probability: Double(best.value))
                }
                let keys = try catalog.assign(assignments, headID: stored.id)
                index.insert(zip(keys, fitting).map { (key: $0, vector: $1.vector) })
                assigned += fitting.count
            }
            // Asked again, photos whose features do not fit the head would come back: stop at a batch not all assigned.
            if listed?.isEmpty ?? (fitting.count < Self.assignmentBatch) { break }
        }
        if assigned > 0 { try catalog.pruneClusters(modelID: modelID) }
        return assigned
    }

    /// The clusters a retrain makes: what `herd recluster --clusters K` or `herd merge` set, else the configuration,
    /// else the count the photos suggest (`ClusterCount.estimate` on `features` and their neighbour `graph`; the
    /// √(N/2) rule of thumb without them or under 20 photos). The photos are asked again only once the library has
    /// grown or shrunk by half since they were last asked, and a new answer within 25 % of the previous head's count
    /// keeps that count, so a growing library keeps retraining warm instead of reshuffling for one more cluster.
    public func clusterCount(
        photos: Int, requested: Int?, previous: Int? = nil, features: Tensor? = nil, graph: NeighbourGraph? = nil
    ) throws -> Int {
        if let requested, requested >= 2 { return requested }
        if let stored = try catalog.setting("clusters").flatMap(Int.init), stored >= 2 { return stored }
        if configuration.clusters >= 2 { return configuration.clusters }
        let askedAt = try catalog.setting(Self.countEstimatedAt).flatMap(Int.init) ?? 0
        if let previous, previous >= 2, ClusterCount.stillHolds(askedAt: askedAt, photos: photos) { return previous }
        var suggested = ClusterCount.suggested(for: photos)
        if let features, let graph, ClusterCount.estimateRange(for: photos) != nil {
            suggested = try ClusterCount.estimate(features, graph: graph, seed: UInt64(photos)).clusters
            try catalog.setSetting(Self.countEstimatedAt, String(photos))
        }
        return ClusterCount.keeping(previous, over: suggested)
    }

    /// Setting: the library's photo count when the cluster count was last estimated from the photos.
    static let countEstimatedAt = "clusters_estimated_at_photos"
}
