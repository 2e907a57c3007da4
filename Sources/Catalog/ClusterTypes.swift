import Foundation

/// The clustering head in force for a model, as stored: its file bytes and which stable cluster id each output is.
public struct StoredHead: Sendable, Equatable {
    /// Row id; assignments name the head that made them.
    public var id: Int64
    /// The model whose features the head reads.
    public var modelID: String
    /// Head output j → stable cluster id (two outputs share an id after a merge).
    public var clusterIDs: [Int]
    /// `ClusterHead.serialised()` bytes.
    public var bytes: [UInt8]
    /// When it was trained.
    public var createdAt: Date

    /// A stored head.
    public init(id: Int64, modelID: String, clusterIDs: [Int], bytes: [UInt8], createdAt: Date) {
        self.id = id
        self.modelID = modelID
        self.clusterIDs = clusterIDs
        self.bytes = bytes
        self.createdAt = createdAt
    }
}

/// One distinct photo content with its features, and where it stands in the clustering.
public struct PhotoFeatures: Sendable {
    /// Its id in the neighbour index, once assigned.
    public var key: Int64?
    /// SHA-256 of the content.
    public var contentHash: Data
    /// The feature vector for the model.
    public var vector: [Float]
    /// Its stable cluster id, once assigned.
    public var clusterID: Int?

    /// A photo's features.
    public init(key: Int64?, contentHash: Data, vector: [Float], clusterID: Int?) {
        self.key = key
        self.contentHash = contentHash
        self.vector = vector
        self.clusterID = clusterID
    }
}

/// A photo's cluster as a head decided it.
public struct Assignment: Sendable, Equatable {
    /// SHA-256 of the content.
    public var contentHash: Data
    /// Stable cluster id.
    public var clusterID: Int
    /// The head's probability for that cluster.
    public var probability: Double

    /// An assignment.
    public init(contentHash: Data, clusterID: Int, probability: Double) {
        self.contentHash = contentHash
        self.clusterID = clusterID
        self.probability = probability
    }
}

/// One retrain of the head, as `herd status` shows it.
public struct ClusterRun: Sendable, Codable, Equatable {
    /// When it finished.
    public var at: Date
    /// Why it ran (`first`, `new photos`, `requested`).
    public var reason: String
    /// `warm` (from the previous head) or `cold` (k-means, then TSP).
    public var method: String
    /// Photos clustered.
    public var photos: Int
    /// Clusters made.
    public var clusters: Int
    /// The head's final training loss.
    public var loss: Double?
    /// Share of previously assigned photos whose cluster id changed (nil on the first run).
    public var churn: Double?
    /// Wall-clock seconds.
    public var seconds: Double

    /// A run record.
    public init(at: Date, reason: String, method: String, photos: Int, clusters: Int, loss: Double?, churn: Double?, seconds: Double) {
        self.at = at
        self.reason = reason
        self.method = method
        self.photos = photos
        self.clusters = clusters
        self.loss = loss
        self.churn = churn
        self.seconds = seconds
    }
}

/// A cluster as `herd clusters` lists it.
public struct ClusterSummary: Sendable, Codable, Equatable {
    /// Stable id (the folder number).
    public var id: Int
    /// The user's label, if any.
    public var label: String?
    /// Photos (files) in it.
    public var size: Int
    /// Paths of the photos nearest its centre, most typical first.
    public var examples: [String]

    /// A summary.
    public init(id: Int, label: String?, size: Int, examples: [String]) {
        self.id = id
        self.label = label
        self.size = size
        self.examples = examples
    }
}

/// A file and the cluster its content belongs to: where its link goes.
public struct FilePlacement: Sendable, Equatable {
    /// Absolute path.
    public var path: String
    /// Stable id of the cluster.
    public var clusterID: Int
    /// The cluster's label, if any.
    public var label: String?

    /// A placement.
    public init(path: String, clusterID: Int, label: String?) {
        self.path = path
        self.clusterID = clusterID
        self.label = label
    }
}

/// A photo file in a cluster, with the head's probability for it.
public struct ClusterMember: Sendable, Codable, Equatable {
    /// Absolute path.
    public var path: String
    /// Probability of the cluster for this photo (higher: nearer the centre).
    public var probability: Double

    /// A member.
    public init(path: String, probability: Double) {
        self.path = path
        self.probability = probability
    }
}

/// A change to the clusters asked for by the CLI and carried out by the daemon (the catalogue's only writer).
public enum ClusterRequest: Sendable, Equatable {
    /// Name cluster `id` (nil clears the label).
    case label(id: Int, label: String?)
    /// Move every photo of `from` into `into`.
    case merge(into: Int, from: Int)
    /// Retrain now, with `clusters` clusters (nil: as configured).
    case recluster(clusters: Int?)
}

/// A queued request and, once handled, its outcome.
public struct QueuedRequest: Sendable, Equatable {
    /// Row id.
    public var id: Int64
    /// What was asked.
    public var request: ClusterRequest
    /// When the daemon handled it; nil while queued.
    public var handledAt: Date?
    /// What happened (an error message starts with `error: `).
    public var result: String?
}
