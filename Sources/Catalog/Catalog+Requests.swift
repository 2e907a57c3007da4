import Foundation
import GRDB

extension Catalog {
    /// Opens an existing catalogue to queue requests for the daemon (the one table the CLI writes while the daemon
    /// runs); refuses a schema older or newer than this build's, as `openForReading` does.
    public static func openForRequests(path: String) throws -> Catalog {
        _ = try openForReading(path: path)
        return Catalog(path: path, pool: try open(path: path, readonly: false))
    }

    /// Queues a request for the daemon; returns its id.
    public func enqueue(_ request: ClusterRequest, now: Date = Date()) throws -> Int64 {
        var kind = "", cluster: Int?, other: Int?, label: String?, clusters: Int?
        switch request {
        case .label(let id, let text): (kind, cluster, label) = ("label", id, text)
        case .merge(let into, let from): (kind, cluster, other) = ("merge", into, from)
        case .recluster(let count): (kind, clusters) = ("recluster", count)
        }
        return try wrap {
            try pool.write { db in
                try db.execute(
                    sql: "INSERT INTO requests (kind, cluster_id, other_id, label, clusters, requested_at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [kind, cluster, other, label, clusters, now.timeIntervalSince1970])
                return db.lastInsertedRowID
            }
        }
    }

    /// Requests not handled yet, oldest first.
    public func pendingRequests() throws -> [QueuedRequest] {
        try wrap {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM requests WHERE handled_at IS NULL ORDER BY id").compactMap(Self.request(from:))
            }
        }
    }

    /// One request by id.
    public func request(id: Int64) throws -> QueuedRequest? {
        try wrap {
            try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM requests WHERE id = ?", arguments: [id]).flatMap(Self.request(from:)) }
        }
    }

    /// Marks a request handled with its outcome.
    public func completeRequest(_ id: Int64, result: String, now: Date = Date()) throws {
        try wrap {
            try pool.write { db in
                try db.execute(
                    sql: "UPDATE requests SET handled_at = ?, result = ? WHERE id = ?", arguments: [now.timeIntervalSince1970, result, id])
            }
        }
    }

    /// Records how a request is getting on without marking it handled (a recluster whose retrain has started): it stays
    /// pending, so a daemon that dies before finishing carries it out at its next start.
    public func noteRequest(_ id: Int64, progress: String) throws {
        try wrap {
            try pool.write { db in try db.execute(sql: "UPDATE requests SET result = ? WHERE id = ?", arguments: [progress, id]) }
        }
    }

    static func request(from row: Row) -> QueuedRequest? {
        let request: ClusterRequest
        switch row["kind"] as String {
        case "label": request = .label(id: row["cluster_id"] ?? -1, label: row["label"])
        case "merge": request = .merge(into: row["cluster_id"] ?? -1, from: row["other_id"] ?? -1)
        case "recluster": request = .recluster(clusters: row["clusters"])
        default: return nil
        }
        return QueuedRequest(
            id: row["id"], request: request, handledAt: (row["handled_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            result: row["result"])
    }
}
