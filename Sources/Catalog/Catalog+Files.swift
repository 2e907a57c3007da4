import Foundation
import GRDB

extension Catalog {
    /// The stat of every catalogued file whose path is `root` or lies under it (`root` absolute, no trailing slash).
    public func entries(under root: String) throws -> [CatalogEntry] {
        try wrap {
            try pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, path, device, inode, size, mtime_ns, mode, ctime_ns, content_hash, state FROM files
                        WHERE path = ? OR \(Self.pathsBelow)
                        """,
                    arguments: [root] + Self.pathsBelow(root)
                ).map(Self.entry(from:))
            }
        }
    }

    /// Whether any file at or below `root` is catalogued (on file system `device`, when given): one step through the
    /// path index, however many photos the library holds.
    public func hasEntries(under root: String, onDevice device: UInt64? = nil) throws -> Bool {
        try wrap {
            try pool.read { db in
                try Bool.fetchOne(
                    db,
                    sql: "SELECT 1 FROM files WHERE (path = ? OR \(Self.pathsBelow))\(device == nil ? "" : " AND device = ?") LIMIT 1",
                    arguments: [root] + Self.pathsBelow(root) + (device.map { [Int64(bitPattern: $0)] } ?? [])) ?? false
            }
        }
    }

    /// Every path that starts with `folder/`, as a range of the path index: paths compare byte by byte (UTF-8, SQLite's
    /// BINARY collation), and `0` is the byte after `/`. (LIKE would treat `%` and `_` in folder names as wildcards, and
    /// `substr` would read every row.)
    static let pathsBelow = "(path >= ? AND path < ?)"

    static func pathsBelow(_ folder: String) -> StatementArguments { [folder + "/", folder + "0"] }

    /// The stat of every catalogued file.
    public func allEntries() throws -> [CatalogEntry] {
        try wrap {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT id, path, device, inode, size, mtime_ns, mode, ctime_ns, content_hash, state FROM files")
                    .map(Self.entry(from:))
            }
        }
    }

    static func entry(from row: Row) -> CatalogEntry {
        CatalogEntry(id: row["id"], stat: stat(from: row), contentHash: row["content_hash"], state: FileState(rawValue: row["state"]) ?? .pending)
    }

    /// Applies one reconcile in a single transaction. Moves keep the hash, metadata and state.
    public func apply(_ changes: CatalogChanges, now: Date = Date()) throws {
        if changes.isEmpty { return }
        let t = now.timeIntervalSince1970
        try wrap {
            try pool.write { db in
                if !changes.deleted.isEmpty || !changes.changed.isEmpty { try Self.bumpRemovals(db) }
                for id in changes.deleted {
                    try db.execute(sql: "DELETE FROM files WHERE id = ?", arguments: [id])
                }
                // Moves go through a relative placeholder path (real ones are absolute), so swapping two names never trips UNIQUE(path).
                for move in changes.moved {
                    try db.execute(sql: "UPDATE files SET path = ? WHERE id = ?", arguments: ["herd-moving \(move.id)", move.id])
                }
                for move in changes.moved {
                    let s = move.stat
                    try db.execute(
                        sql: "UPDATE files SET path = ?, device = ?, inode = ?, size = ?, mtime_ns = ?, mode = ?, ctime_ns = ?, updated_at = ? WHERE id = ?",
                        arguments: [s.path, Int64(bitPattern: s.device), Int64(bitPattern: s.inode), s.size, s.mtimeNanoseconds, Int64(s.mode), s.ctimeNanoseconds, t, move.id])
                }
                for change in changes.changed {
                    let s = change.stat
                    try db.execute(
                        sql: """
                            UPDATE files SET path = ?, device = ?, inode = ?, size = ?, mtime_ns = ?, mode = ?, ctime_ns = ?, content_hash = NULL,
                                format = NULL, width = NULL, height = NULL, orientation = NULL, taken_at = NULL, camera = NULL,
                                state = 'pending', error = NULL, failure = NULL, updated_at = ?
                            WHERE id = ?
                            """,
                        arguments: [s.path, Int64(bitPattern: s.device), Int64(bitPattern: s.inode), s.size, s.mtimeNanoseconds, Int64(s.mode), s.ctimeNanoseconds, t, change.id])
                }
                for s in changes.added {
                    // A path re-added before its old row was seen gone replaces that row.
                    try db.execute(
                        sql: """
                            INSERT INTO files (path, device, inode, size, mtime_ns, mode, ctime_ns, state, added_at, updated_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
                            ON CONFLICT(path) DO UPDATE SET device = excluded.device, inode = excluded.inode, size = excluded.size,
                                mtime_ns = excluded.mtime_ns, mode = excluded.mode, ctime_ns = excluded.ctime_ns, content_hash = NULL,
                                format = NULL, width = NULL, height = NULL, orientation = NULL, taken_at = NULL, camera = NULL,
                                state = 'pending', error = NULL, failure = NULL, updated_at = excluded.updated_at
                            """,
                        arguments: [s.path, Int64(bitPattern: s.device), Int64(bitPattern: s.inode), s.size, s.mtimeNanoseconds, Int64(s.mode), s.ctimeNanoseconds, t, t])
                }
            }
        }
    }

    /// Puts failed files of the kinds retried at every rescan (`FailureKind.retriedAtRescan`) back in the queue, for
    /// files at or under one of `roots` (libraries that are present); returns how many.
    @discardableResult
    public func requeueRetryableFailures(under roots: [String]) throws -> Int {
        let kinds = FailureKind.allCases.filter(\.retriedAtRescan).map(\.rawValue)
        return try wrap {
            try pool.write { db in
                var count = 0
                for root in roots {
                    try db.execute(
                        sql: """
                            UPDATE files SET state = 'pending', error = NULL, failure = NULL
                            WHERE state = 'failed' AND failure IN (\(kinds.map { _ in "?" }.joined(separator: ", ")))
                                AND (path = ? OR substr(path, 1, ?) = ?)
                            """,
                        arguments: StatementArguments(kinds + [root]) + [root.unicodeScalars.count + 1, root + "/"])
                    count += db.changesCount
                }
                return count
            }
        }
    }

    /// The file row at `path`, if catalogued.
    public func file(atPath path: String) throws -> CatalogFile? {
        try wrap {
            try pool.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM files WHERE path = ?", arguments: [path]).map(Self.file(from:))
            }
        }
    }

    /// Up to `limit` pending files with an id above `afterID`, oldest first: the ingest queue.
    public func pendingFiles(afterID: Int64, limit: Int) throws -> [CatalogFile] {
        try wrap {
            try pool.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT * FROM files WHERE state = 'pending' AND id > ? ORDER BY id LIMIT ?",
                    arguments: [afterID, limit]
                ).map(Self.file(from:))
            }
        }
    }

    /// How many files wait in the ingest queue (through the state index: no pass over every file).
    public func pendingCount() throws -> Int {
        try wrap { try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM files WHERE state = 'pending'") ?? 0 } }
    }

    /// Files matching `filter`, by path.
    public func files(matching filter: FileFilter) throws -> [CatalogFile] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if let state = filter.state {
            clauses.append("state = ?")
            arguments += [state.rawValue]
        }
        if let glob = filter.pathGlob {
            clauses.append("path GLOB ?")
            arguments += [glob]
        }
        if let after = filter.takenAfter {
            clauses.append("taken_at >= ?")
            arguments += [after]
        }
        if let before = filter.takenBefore {
            clauses.append("taken_at < ?")
            arguments += [before]
        }
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let sql = "SELECT * FROM files \(whereClause) ORDER BY path LIMIT ?"
        arguments += [filter.limit ?? -1]
        return try wrap {
            try pool.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.file(from:)) }
        }
    }

    static func stat(from row: Row) -> FileStat {
        FileStat(
            path: row["path"],
            device: UInt64(bitPattern: row["device"] as Int64),
            inode: UInt64(bitPattern: row["inode"] as Int64),
            size: row["size"],
            mtimeNanoseconds: row["mtime_ns"],
            mode: UInt32(truncatingIfNeeded: (row["mode"] as Int64?) ?? 0),
            ctimeNanoseconds: (row["ctime_ns"] as Int64?) ?? 0)
    }

    static func file(from row: Row) -> CatalogFile {
        var metadata: ImageMetadata?
        if let format: String = row["format"] {
            metadata = ImageMetadata(
                format: format, width: row["width"] ?? 0, height: row["height"] ?? 0,
                orientation: row["orientation"] ?? 1, takenAt: row["taken_at"], camera: row["camera"])
        }
        return CatalogFile(
            id: row["id"], stat: stat(from: row), contentHash: row["content_hash"], metadata: metadata,
            state: FileState(rawValue: row["state"]) ?? .pending, error: row["error"],
            failure: (row["failure"] as String?).flatMap(FailureKind.init(rawValue:)))
    }
}

/// Which files `Catalog.files(matching:)` returns.
public struct FileFilter: Sendable {
    /// Only files in this state.
    public var state: FileState?
    /// SQLite GLOB on the absolute path (`*` crosses `/`).
    public var pathGlob: String?
    /// Only files taken at or after this `YYYY-MM-DD[THH:MM:SS]`.
    public var takenAfter: String?
    /// Only files taken before this `YYYY-MM-DD[THH:MM:SS]`.
    public var takenBefore: String?
    /// At most this many rows.
    public var limit: Int?

    /// A filter; nil fields do not filter.
    public init(state: FileState? = nil, pathGlob: String? = nil, takenAfter: String? = nil, takenBefore: String? = nil, limit: Int? = nil) {
        self.state = state
        self.pathGlob = pathGlob
        self.takenAfter = takenAfter
        self.takenBefore = takenBefore
        self.limit = limit
    }
}

extension Catalog {
    /// Setting: how many times files left the embedded set (deleted, changed, re-queued), so that the daemon looks for
    /// contents no file holds any more only when there can be some.
    static let removalsKey = "content_removals"

    /// A number that changes whenever a file may have stopped holding its content (a delete, a change, a re-queue).
    public func contentRemovals() throws -> Int {
        try setting(Self.removalsKey).flatMap(Int.init) ?? 0
    }

    static func bumpRemovals(_ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO settings (key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
            arguments: [removalsKey])
    }
}
