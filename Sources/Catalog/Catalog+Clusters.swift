import Foundation
import GRDB

/// One cluster with every member file, most typical first: what its folder shows.
public struct ClusterContents: Sendable, Equatable {
    /// Stable id.
    public var id: Int
    /// The user's label, if any.
    public var label: String?
    /// Member files, by descending probability, then path.
    public var members: [ClusterMember]
    /// Identifies the photos on the folder's current contact sheet (nil: none written yet).
    public var sheetKey: String?

    /// Contents of one cluster.
    public init(id: Int, label: String?, members: [ClusterMember], sheetKey: String? = nil) {
        self.id = id
        self.label = label
        self.members = members
        self.sheetKey = sheetKey
    }
}

extension Catalog {
    /// Every cluster that holds at least one embedded file, by id, with its members most typical first.
    public func clusterContents() throws -> [ClusterContents] {
        try clusters(where: "", arguments: [], membersEach: nil)
    }

    /// The cluster with stable id `id` (nil when there is none or it is empty).
    public func cluster(id: Int) throws -> ClusterContents? {
        try clusters(where: "WHERE c.id = ?", arguments: [id], membersEach: nil).first
    }

    /// The cluster with stable id `id` with only its `limit` most typical members (what its contact sheet shows), read
    /// through the cluster's index instead of every photo; nil when there is none or it is empty.
    public func clusterTop(id: Int, limit: Int) throws -> ClusterContents? {
        try clusters(where: "WHERE c.id = ?", arguments: [id], membersEach: limit).first
    }

    private func clusters(where condition: String, arguments: StatementArguments, membersEach limit: Int?) throws -> [ClusterContents] {
        try wrap {
            try pool.read { db in
                var out: [ClusterContents] = []
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT c.id, c.label, c.sheet_key, f.path, a.probability FROM clusters c
                        JOIN assignments a ON a.cluster_id = c.id
                        JOIN files f ON f.content_hash = a.content_hash AND +f.state = 'done'
                        \(condition)
                        ORDER BY c.id, a.probability DESC, f.path \(limit == nil ? "" : "LIMIT ?")
                        """,
                    arguments: arguments + (limit.map { [$0] } ?? []))
                for row in rows {
                    let id: Int = row["id"]
                    let member = ClusterMember(path: row["path"], probability: row["probability"])
                    if out.last?.id == id { out[out.count - 1].members.append(member) } else {
                        out.append(ClusterContents(id: id, label: row["label"], members: [member], sheetKey: row["sheet_key"]))
                    }
                }
                return out
            }
        }
    }

    /// Which photos each cluster's contact sheet shows (`setSheetKey`), by cluster id; clusters without a sheet are left out.
    public func sheetKeys() throws -> [Int: String] {
        try wrap {
            try pool.read { db in
                var out: [Int: String] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT id, sheet_key FROM clusters WHERE sheet_key IS NOT NULL") { out[row["id"]] = row["sheet_key"] }
                return out
            }
        }
    }

    /// Records which photos the cluster's contact sheet shows (does not count as a change to the folders).
    public func setSheetKey(_ key: String, ofCluster id: Int) throws {
        try wrap { try pool.write { db in try db.execute(sql: "UPDATE clusters SET sheet_key = ? WHERE id = ?", arguments: [key, id]) } }
    }

    /// Whether a cluster with this stable id exists.
    public func clusterExists(_ id: Int) throws -> Bool {
        try wrap { try pool.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM clusters WHERE id = ?", arguments: [id]) ?? false } }
    }

    /// Names a cluster (nil clears the name); false when there is no such cluster.
    @discardableResult
    public func setLabel(_ label: String?, ofCluster id: Int, now: Date = Date()) throws -> Bool {
        try wrap {
            try pool.write { db in
                try db.execute(
                    sql: "UPDATE clusters SET label = ?, updated_at = ? WHERE id = ?", arguments: [label, now.timeIntervalSince1970, id])
                return db.changesCount > 0
            }
        }
    }

    /// Moves every photo of cluster `from` into `into`, points the heads' outputs for `from` at `into`, and drops
    /// `from`. `into` keeps its label, or takes `from`'s when it had none.
    public func mergeCluster(_ from: Int, into: Int, now: Date = Date()) throws {
        let t = now.timeIntervalSince1970
        try wrap {
            try pool.write { db in
                try db.execute(
                    sql: "UPDATE clusters SET label = COALESCE(label, (SELECT label FROM clusters WHERE id = ?)), updated_at = ? WHERE id = ?",
                    arguments: [from, t, into])
                try db.execute(sql: "UPDATE assignments SET cluster_id = ? WHERE cluster_id = ?", arguments: [into, from])
                for row in try Row.fetchAll(db, sql: "SELECT id, cluster_ids FROM heads") {
                    let ids = (row["cluster_ids"] as String).split(separator: ",").map { Int($0) == from ? String(into) : String($0) }
                    try db.execute(
                        sql: "UPDATE heads SET cluster_ids = ? WHERE id = ?", arguments: [ids.joined(separator: ","), row["id"] as Int64])
                }
                try db.execute(sql: "DELETE FROM clusters WHERE id = ?", arguments: [from])
            }
        }
    }
}

extension Catalog {
    /// Every cluster with its label and the content hashes assigned to it, by id: what the labels journal keeps.
    public func clusterMembership() throws -> [(id: Int, label: String?, contentHashes: [Data])] {
        try wrap {
            try pool.read { db in
                var out: [(id: Int, label: String?, contentHashes: [Data])] = []
                for row in try Row.fetchAll(
                    db, sql: "SELECT c.id, c.label, a.content_hash FROM clusters c JOIN assignments a ON a.cluster_id = c.id ORDER BY c.id") {
                    let id: Int = row["id"]
                    if out.last?.id == id { out[out.count - 1].contentHashes.append(row["content_hash"]) } else {
                        out.append((id, row["label"], [row["content_hash"]]))
                    }
                }
                return out
            }
        }
    }
}
