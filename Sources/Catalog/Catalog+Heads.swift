import Foundation
import GRDB

extension Catalog {
    /// The newest head for `modelID`, if one was trained.
    public func currentHead(modelID: String) throws -> StoredHead? {
        try wrap {
            try pool.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM heads WHERE model_id = ? ORDER BY id DESC LIMIT 1", arguments: [modelID])
                    .map(Self.head(from:))
            }
        }
    }

    static func head(from row: Row) -> StoredHead {
        let ids = (row["cluster_ids"] as String).split(separator: ",").compactMap { Int($0) }
        return StoredHead(
            id: row["id"], modelID: row["model_id"], clusterIDs: ids, bytes: [UInt8](row["head"] as Data),
            createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    /// Stores a retrained head with what it assigned and the run's record, in one transaction: clusters it names are
    /// created (keeping the labels of ids that stay), clusters nothing refers to any more are dropped. Returns the head's id.
    @discardableResult
    public func commitRetrain(
        headBytes: [UInt8], modelID: String, clusterIDs: [Int], assignments: [Assignment], run: ClusterRun
    ) throws -> Int64 {
        let t = run.at.timeIntervalSince1970
        return try wrap {
            try pool.write { db in
                try db.execute(
                    sql: "INSERT INTO heads (model_id, clusters, cluster_ids, head, created_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [modelID, clusterIDs.count, clusterIDs.map(String.init).joined(separator: ","), Data(headBytes), t])
                let headID = db.lastInsertedRowID
                for id in Set(clusterIDs) {
                    try db.execute(
                        sql: "INSERT INTO clusters (id, label, created_at, updated_at) VALUES (?, NULL, ?, ?) ON CONFLICT(id) DO NOTHING",
                        arguments: [id, t, t])
                }
                _ = try Self.upsert(assignments, headID: headID, at: t, db: db)
                try Self.pruneClusters(keeping: clusterIDs, db: db)
                try db.execute(
                    sql: """
                        INSERT INTO cluster_runs (head_id, at, reason, method, photos, clusters, loss, churn, seconds)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [headID, t, run.reason, run.method, run.photos, run.clusters, run.loss, run.churn, run.seconds])
                // Old heads are only needed for their ids; keep a few for inspection.
                try db.execute(
                    sql: "DELETE FROM heads WHERE model_id = ? AND id NOT IN (SELECT id FROM heads WHERE model_id = ? ORDER BY id DESC LIMIT 3)",
                    arguments: [modelID, modelID])
                return headID
            }
        }
    }

    /// Drops clusters that no assignment and none of `ids` refers to.
    static func pruneClusters(keeping ids: [Int], db: Database) throws {
        let keep = Set(ids)
        for id in try Int.fetchAll(
            db, sql: "SELECT id FROM clusters c WHERE NOT EXISTS (SELECT 1 FROM assignments a WHERE a.cluster_id = c.id)")
        where !keep.contains(id) {
            try db.execute(sql: "DELETE FROM clusters WHERE id = ?", arguments: [id])
        }
    }

    /// Drops clusters left empty and not named by the current head of `modelID` (after photos left them).
    public func pruneClusters(modelID: String) throws {
        let ids = try currentHead(modelID: modelID)?.clusterIDs ?? []
        try wrap { try pool.write { db in try Self.pruneClusters(keeping: ids, db: db) } }
    }

    /// The latest retrain, if any.
    public func latestClusterRun() throws -> ClusterRun? {
        try clusterRuns(limit: 1).first
    }

    /// The latest `limit` retrains, newest first.
    public func clusterRuns(limit: Int) throws -> [ClusterRun] {
        try wrap {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM cluster_runs ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                    ClusterRun(
                        at: Date(timeIntervalSince1970: row["at"]), reason: row["reason"], method: row["method"], photos: row["photos"],
                        clusters: row["clusters"], loss: row["loss"], churn: row["churn"], seconds: row["seconds"])
                }
            }
        }
    }

    /// A stored setting (`clusters`: the cluster count the user asked for).
    public func setting(_ key: String) throws -> String? {
        try wrap { try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key]) } }
    }

    /// Stores a setting; nil removes it.
    public func setSetting(_ key: String, _ value: String?) throws {
        try wrap {
            try pool.write { db in
                if let value {
                    try db.execute(
                        sql: "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        arguments: [key, value])
                } else {
                    try db.execute(sql: "DELETE FROM settings WHERE key = ?", arguments: [key])
                }
            }
        }
    }
}
