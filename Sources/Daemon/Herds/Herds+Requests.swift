import Catalog
import Foundation

extension Herds {
    /// Carries out a label or merge request and returns what happened for the user; throws a `DaemonError` saying
    /// what to do when the request cannot be done. A recluster is the caller's to schedule.
    public func apply(_ request: ClusterRequest) throws -> String {
        switch request {
        case .label(let id, let label):
            guard try catalog.setLabel(label, ofCluster: id) else { throw Self.noSuchCluster(id) }
            writeJournal()
            let name = FolderWriter.folderName(clusterID: id, label: label)
            return label == nil ? "cluster \(id) has no label now (folder \(name))" : "cluster \(id) is now “\(label ?? "")” (folder \(name))"
        case .merge(let into, let from):
            guard into != from else { throw DaemonError(.request, path: nil, "cannot merge cluster \(into) into itself; name two clusters") }
            for id in [into, from] where try !catalog.clusterExists(id) { throw Self.noSuchCluster(id) }
            try catalog.mergeCluster(from, into: into)
            // The next retrain makes as many clusters as the user sees now, so the merge is not undone. Counted from
            // the clusters that have photos: a head may hold a cluster no photo chose, which no listing shows.
            try catalog.setSetting("clusters", String(max(2, try catalog.clusterMembership().count)))
            writeJournal()
            return "merged cluster \(from) into \(into)"
        case .recluster(let clusters):
            if let clusters { try catalog.setSetting("clusters", clusters >= 2 ? String(clusters) : nil) }
            return clusters.map { $0 >= 2 ? "retraining into \($0) clusters" : "retraining with the default number of clusters" }
                ?? "retraining"
        }
    }

    static func noSuchCluster(_ id: Int) -> DaemonError {
        DaemonError(.request, path: nil, "there is no cluster \(id); `herd clusters` lists them")
    }
}
