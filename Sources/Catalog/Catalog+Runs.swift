import Foundation
import GRDB

/// One daemon or scan run, as recorded in the catalogue.
public struct CatalogRun: Sendable, Codable, Equatable {
    /// Row id.
    public var id: Int64
    /// `daemon` or `scan`.
    public var kind: String
    /// Process id.
    public var pid: Int32
    /// Model the run embedded with.
    public var modelID: String
    /// OpenBLAS core the run used, when known.
    public var blasCore: String?
    /// Start time.
    public var startedAt: Date
    /// Last sign of life.
    public var heartbeatAt: Date
    /// End time; nil while running or after a crash.
    public var finishedAt: Date?
    /// What it was doing at the last heartbeat (`scanning 120/900`, `watching`, …).
    public var phase: String
    /// A warning about file watching (overflow, watch limit), nil when watching is complete.
    public var watchNote: String?
    /// Calls made to the feature extractor.
    public var extractorCalls: Int
    /// Images handed to the feature extractor.
    public var imagesEncoded: Int
    /// Files ingested (embedded, reused or failed).
    public var filesIngested: Int
    /// Seconds spent ingesting.
    public var ingestSeconds: Double
    /// What was not right at the last heartbeat; nil when all was well.
    public var health: RunHealth?
}

/// Counts over the whole catalogue.
public struct CatalogCounts: Sendable, Codable, Equatable {
    /// Catalogued files.
    public var files: Int
    /// Files whose content has features for the model.
    public var embedded: Int
    /// Files waiting for ingest.
    public var pending: Int
    /// Files that failed.
    public var failed: Int
    /// Feature rows for the model.
    public var features: Int
    /// Images ever handed to a feature extractor, all runs together.
    public var imagesEncoded: Int

    /// Counts as given.
    public init(files: Int, embedded: Int, pending: Int, failed: Int, features: Int, imagesEncoded: Int) {
        self.files = files
        self.embedded = embedded
        self.pending = pending
        self.failed = failed
        self.features = features
        self.imagesEncoded = imagesEncoded
    }
}

extension Catalog {
    /// Records the start of a run; returns its id.
    public func beginRun(kind: String, pid: Int32, modelID: String, blasCore: String?, now: Date = Date()) throws -> Int64 {
        try wrap {
            try pool.write { db in
                try db.execute(
                    sql: "INSERT INTO runs (kind, pid, model_id, blas_core, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [kind, pid, modelID, blasCore, now.timeIntervalSince1970, now.timeIntervalSince1970])
                return db.lastInsertedRowID
            }
        }
    }

    /// Updates a run's phase and heartbeat; `watchNote` and `health` are replaced only when given.
    public func updateRun(_ id: Int64, phase: String, watchNote: String?? = nil, health: RunHealth? = nil, now: Date = Date()) throws {
        try wrap {
            try pool.write { db in
                if let health {
                    try db.execute(sql: "UPDATE runs SET health = ? WHERE id = ?", arguments: [health.encoded(), id])
                }
                if let note = watchNote {
                    try db.execute(
                        sql: "UPDATE runs SET phase = ?, watch_note = ?, heartbeat_at = ? WHERE id = ?",
                        arguments: [phase, note, now.timeIntervalSince1970, id])
                } else {
                    try db.execute(
                        sql: "UPDATE runs SET phase = ?, heartbeat_at = ? WHERE id = ?",
                        arguments: [phase, now.timeIntervalSince1970, id])
                }
            }
        }
    }

    /// Records a clean end of a run.
    public func finishRun(_ id: Int64, now: Date = Date()) throws {
        try wrap {
            try pool.write { db in
                try db.execute(
                    sql: "UPDATE runs SET finished_at = ?, heartbeat_at = ?, phase = 'stopped' WHERE id = ?",
                    arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, id])
            }
        }
    }

    /// Appends an event (scan finished, rescan, watch limit, config reload).
    public func recordEvent(runID: Int64?, kind: String, detail: String, now: Date = Date()) throws {
        try wrap {
            try pool.write { db in
                try db.execute(
                    sql: "INSERT INTO events (run_id, at, kind, detail) VALUES (?, ?, ?, ?)",
                    arguments: [runID, now.timeIntervalSince1970, kind, detail])
            }
        }
    }

    /// The latest event of `kind`, with its time.
    public func latestEvent(kind: String) throws -> (at: Date, detail: String)? {
        try wrap {
            try pool.read { db in
                try Row.fetchOne(db, sql: "SELECT at, detail FROM events WHERE kind = ? ORDER BY id DESC LIMIT 1", arguments: [kind])
                    .map { (at: Date(timeIntervalSince1970: $0["at"]), detail: $0["detail"]) }
            }
        }
    }

    /// The most recent run of `kind` (any kind when nil).
    public func latestRun(kind: String? = nil) throws -> CatalogRun? {
        try wrap {
            try pool.read { db in
                let row: Row?
                if let kind {
                    row = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE kind = ? ORDER BY id DESC LIMIT 1", arguments: [kind])
                } else {
                    row = try Row.fetchOne(db, sql: "SELECT * FROM runs ORDER BY id DESC LIMIT 1")
                }
                return row.map(Self.run(from:))
            }
        }
    }

    /// Every run, oldest first.
    public func runs() throws -> [CatalogRun] {
        try wrap { try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id").map(Self.run(from:)) } }
    }

    /// Counts for `herd status`, read in one snapshot.
    public func counts(modelID: String) throws -> CatalogCounts {
        try wrap {
            try pool.read { db in
                let files = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM files") ?? 0
                let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM files WHERE state = 'pending'") ?? 0
                let failed = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM files WHERE state = 'failed'") ?? 0
                let embedded = try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM files WHERE state = 'done' AND EXISTS
                            (SELECT 1 FROM features WHERE features.content_hash = files.content_hash AND features.model_id = ?)
                        """,
                    arguments: [modelID]) ?? 0
                let features = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM features WHERE model_id = ?", arguments: [modelID]) ?? 0
                let encoded = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(images_encoded), 0) FROM runs") ?? 0
                return CatalogCounts(
                    files: files, embedded: embedded, pending: pending, failed: failed, features: features, imagesEncoded: encoded)
            }
        }
    }

    static func run(from row: Row) -> CatalogRun {
        CatalogRun(
            id: row["id"], kind: row["kind"], pid: Int32(truncatingIfNeeded: row["pid"] as Int64), modelID: row["model_id"],
            blasCore: row["blas_core"], startedAt: Date(timeIntervalSince1970: row["started_at"]),
            heartbeatAt: Date(timeIntervalSince1970: row["heartbeat_at"]),
            finishedAt: (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            phase: row["phase"], watchNote: row["watch_note"], extractorCalls: row["extractor_calls"],
            imagesEncoded: row["images_encoded"], filesIngested: row["files_ingested"], ingestSeconds: row["ingest_seconds"],
            health: RunHealth.decode(row["health"]))
    }
}

extension Catalog {
    /// Files marked embedded whose content has no features for `modelID`: should be none.
    public func embeddedFilesLackingFeatures(modelID: String) throws -> [String] {
        try wrap {
            try pool.read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT path FROM files WHERE state = 'done' AND NOT EXISTS
                            (SELECT 1 FROM features WHERE features.content_hash = files.content_hash AND features.model_id = ?)
                        ORDER BY path
                        """,
                    arguments: [modelID])
            }
        }
    }
}
