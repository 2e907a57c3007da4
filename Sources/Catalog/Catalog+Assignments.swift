import Foundation
import GRDB

extension Catalog {
    /// Embedded photo contents with features for `modelID` that have no cluster yet, or one from a head other than
    /// `headID`: the instant-assignment queue. At most `limit`.
    public func photosNeedingAssignment(modelID: String, headID: Int64, limit: Int) throws -> [PhotoFeatures] {
        try photoFeatures(modelID: modelID, extraCondition: "AND (a.key IS NULL OR a.head_id != ?)", arguments: [headID], limit: limit)
    }

    /// Of `contents`, those embedded and without a cluster from head `headID`: what ingest just committed, found
    /// without the pass over every photo that `photosNeedingAssignment(modelID:headID:limit:)` makes.
    public func photosNeedingAssignment(modelID: String, headID: Int64, among contents: Set<Data>) throws -> [PhotoFeatures] {
        if contents.isEmpty { return [] }
        return try wrap {
            try pool.read { db in
                try contents.sorted { $0.lexicographicallyPrecedes($1) }.compactMap { hash in
                    try Row.fetchOne(
                        db,
                        sql: """
                            SELECT f.content_hash, f.vector, a.key, a.cluster_id FROM features f
                            LEFT JOIN assignments a ON a.content_hash = f.content_hash
                            WHERE f.content_hash = ? AND f.model_id = ? AND (a.key IS NULL OR a.head_id != ?)
                                AND EXISTS (SELECT 1 FROM files WHERE files.content_hash = f.content_hash AND +files.state = 'done')
                            """,
                        arguments: [hash, modelID, headID]
                    ).map(Self.photo(from:))
                }
            }
        }
    }

    /// Where the embedded files holding `contents` belong: each file's path with its content's cluster, by path (files
    /// whose content has no cluster are left out).
    public func placements(ofContents contents: Set<Data>) throws -> [FilePlacement] {
        if contents.isEmpty { return [] }
        return try wrap {
            try pool.read { db in
                var out: [FilePlacement] = []
                for hash in contents {
                    out += try Row.fetchAll(
                        db,
                        sql: """
                            SELECT f.path, c.id, c.label FROM files f
                            JOIN assignments a ON a.content_hash = f.content_hash
                            JOIN clusters c ON c.id = a.cluster_id
                            WHERE f.content_hash = ? AND +f.state = 'done'
                            """,
                        arguments: [hash]
                    ).map { FilePlacement(path: $0["path"], clusterID: $0["id"], label: $0["label"]) }
                }
                return out.sorted { $0.path < $1.path }
            }
        }
    }

    /// Every embedded photo content with features for `modelID`: what a retrain clusters.
    public func allPhotoFeatures(modelID: String) throws -> [PhotoFeatures] {
        try photoFeatures(modelID: modelID, extraCondition: "", arguments: [], limit: -1)
    }

    /// Features of the photo contents with these neighbour-index keys, by key.
    public func photoFeatures(keys: [Int64], modelID: String) throws -> [Int64: PhotoFeatures] {
        try wrap {
            try pool.read { db in
                var found: [Int64: PhotoFeatures] = [:]
                for key in keys {
                    if let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT a.key, a.content_hash, a.cluster_id, f.vector FROM assignments a
                            JOIN features f ON f.content_hash = a.content_hash AND f.model_id = ? WHERE a.key = ?
                            """,
                        arguments: [modelID, key]) {
                        found[key] = Self.photo(from: row)
                    }
                }
                return found
            }
        }
    }

    private func photoFeatures(modelID: String, extraCondition: String, arguments: StatementArguments, limit: Int) throws -> [PhotoFeatures] {
        try wrap {
            try pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT f.content_hash, f.vector, a.key, a.cluster_id FROM features f
                        LEFT JOIN assignments a ON a.content_hash = f.content_hash
                        WHERE f.model_id = ? \(extraCondition)
                            AND EXISTS (SELECT 1 FROM files WHERE files.content_hash = f.content_hash AND +files.state = 'done')
                        ORDER BY f.content_hash LIMIT ?
                        """,
                    arguments: [modelID] + arguments + [limit]
                ).map(Self.photo(from:))
            }
        }
    }

    static func photo(from row: Row) -> PhotoFeatures {
        PhotoFeatures(key: row["key"], contentHash: row["content_hash"], vector: floats(fromLittleEndian: row["vector"]), clusterID: row["cluster_id"])
    }

    /// Records what head `headID` assigned, in one transaction; returns each content's neighbour-index key, in order.
    /// A photo keeps the time it was first assigned, so retrains do not count as new photos.
    @discardableResult
    public func assign(_ assignments: [Assignment], headID: Int64, now: Date = Date()) throws -> [Int64] {
        try wrap {
            try pool.write { db in
                try Self.upsert(assignments, headID: headID, at: now.timeIntervalSince1970, db: db)
            }
        }
    }

    static func upsert(_ assignments: [Assignment], headID: Int64, at t: Double, db: Database) throws -> [Int64] {
        var keys: [Int64] = []
        for a in assignments {
            try db.execute(
                sql: """
                    INSERT INTO assignments (content_hash, cluster_id, probability, head_id, assigned_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(content_hash) DO UPDATE SET cluster_id = excluded.cluster_id, probability = excluded.probability,
                        head_id = excluded.head_id
                    """,
                arguments: [a.contentHash, a.clusterID, a.probability, headID, t])
            keys.append(try Int64.fetchOne(db, sql: "SELECT key FROM assignments WHERE content_hash = ?", arguments: [a.contentHash]) ?? -1)
        }
        return keys
    }

    /// Forgets the assignments of content no embedded file has any more (deleted or rewritten photos); returns
    /// their neighbour-index keys so the index can drop them too.
    public func removeOrphanAssignments() throws -> [Int64] {
        try wrap {
            try pool.write { db in
                let keys = try Int64.fetchAll(
                    db,
                    sql: """
                        SELECT key FROM assignments a WHERE NOT EXISTS
                            (SELECT 1 FROM files WHERE files.content_hash = a.content_hash AND +files.state = 'done')
                        """)
                for key in keys { try db.execute(sql: "DELETE FROM assignments WHERE key = ?", arguments: [key]) }
                return keys
            }
        }
    }

    /// Neighbour-index keys and stable cluster ids of every assigned content.
    public func assignedKeys() throws -> [Int64: Int] {
        try wrap {
            try pool.read { db in
                var out: [Int64: Int] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT key, cluster_id FROM assignments") { out[row["key"]] = row["cluster_id"] }
                return out
            }
        }
    }

    /// Photos first assigned after `date`: the new photos since a retrain.
    public func photosAssigned(after date: Date) throws -> Int {
        try wrap {
            try pool.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM assignments WHERE assigned_at > ?", arguments: [date.timeIntervalSince1970]) ?? 0
            }
        }
    }

    /// A short text that changes whenever the cluster folders would: embedded files added, moved or removed,
    /// assignments changed, clusters labelled or merged.
    public func folderFingerprint() throws -> String {
        try wrap {
            try pool.read { db in
                try String.fetchOne(
                    db,
                    sql: """
                        SELECT (SELECT COUNT(*) || ':' || COALESCE(SUM(id), 0) || ':' || COALESCE(MAX(updated_at), 0)
                                FROM files WHERE state = 'done')
                            || '|' || (SELECT COUNT(*) || ':' || COALESCE(SUM(cluster_id * 7919 + head_id), 0) FROM assignments)
                            || '|' || (SELECT COUNT(*) || ':' || COALESCE(MAX(updated_at), 0) FROM clusters)
                        """) ?? ""
            }
        }
    }

    /// The paths of the embedded files holding the content with each key.
    public func paths(forKeys keys: [Int64]) throws -> [Int64: [String]] {
        try wrap {
            try pool.read { db in
                var out: [Int64: [String]] = [:]
                for key in keys {
                    out[key] = try String.fetchAll(
                        db,
                        sql: """
                            SELECT f.path FROM assignments a JOIN files f ON f.content_hash = a.content_hash AND +f.state = 'done'
                            WHERE a.key = ? ORDER BY f.path
                            """,
                        arguments: [key])
                }
                return out
            }
        }
    }

    /// The neighbour-index key of the content at `path`, when that file is embedded and assigned.
    public func key(forPath path: String) throws -> Int64? {
        try wrap {
            try pool.read { db in
                try Int64.fetchOne(
                    db, sql: "SELECT a.key FROM files f JOIN assignments a ON a.content_hash = f.content_hash WHERE f.path = ?",
                    arguments: [path])
            }
        }
    }
}
