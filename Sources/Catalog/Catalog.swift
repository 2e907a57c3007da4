import Foundation
import GRDB

/// The SQLite catalogue of a photo library: files, features, runs and events. All SQL lives in this module.
public final class Catalog: Sendable {
    /// The catalogue file.
    public let path: String
    let pool: DatabasePool

    init(path: String, pool: DatabasePool) {
        self.path = path
        self.pool = pool
    }

    /// Opens (creating if needed) the catalogue for the daemon, the only writer, and migrates it to this build's schema.
    public static func openForWriting(path: String) throws -> Catalog {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw CatalogError(.cannotOpen, path: path, "cannot create the catalogue's folder \(directory): \(error.localizedDescription); check its permissions or pass --catalog")
            }
        }
        let pool = try open(path: path, readonly: false)
        let migrator = Catalog.migrator
        do {
            let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
            if superseded {
                throw CatalogError(.newerSchema, path: path, "the catalogue was written by a newer herd; upgrade herd, or move the catalogue aside to start afresh")
            }
            try migrator.migrate(pool)
        } catch let error as CatalogError {
            throw error
        } catch {
            throw CatalogError(.sqlite, path: path, "cannot migrate the catalogue: \(error)")
        }
        return Catalog(path: path, pool: pool)
    }

    /// Opens an existing catalogue for reading (the CLI); refuses a schema older or newer than this build's.
    public static func openForReading(path: String) throws -> Catalog {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CatalogError(.missing, path: path, "no catalogue yet; start the daemon with `herd run` or build it once with `herd scan`")
        }
        // A writer killed mid-commit leaves a WAL that must be recovered, which a read-only connection cannot do; a
        // read-write one recovers it (and changes nothing else: readers never migrate).
        let pool = try (try? open(path: path, readonly: true)) ?? open(path: path, readonly: false)
        let migrator = Catalog.migrator
        let (applied, superseded, empty): (Set<String>, Bool, Bool)
        do {
            (applied, superseded, empty) = try pool.read { db in
                let tables = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'") ?? 0
                if tables == 0 { return ([], false, true) }
                return (try migrator.appliedIdentifiers(db), try migrator.hasBeenSuperseded(db), false)
            }
        } catch {
            throw CatalogError(.sqlite, path: path, "cannot read the catalogue's schema: \(error)")
        }
        if empty {
            throw CatalogError(.missing, path: path, "the catalogue is empty: the daemon is creating it (try again in a moment), or start it with `herd run`")
        }
        if superseded {
            throw CatalogError(.newerSchema, path: path, "the catalogue was written by a newer herd (schema \(applied.sorted().joined(separator: ", "))); upgrade herd to read it")
        }
        let missing = Catalog.migrationNames.filter { !applied.contains($0) }
        if !missing.isEmpty {
            throw CatalogError(.olderSchema, path: path, "the catalogue was written by an older herd (missing schema steps: \(missing.joined(separator: ", "))); run `herd run` once, which upgrades it")
        }
        return Catalog(path: path, pool: pool)
    }

    /// How long a connection waits for a lock before it fails, in seconds.
    static let busyTimeout: TimeInterval = 10
    /// How long a checkpoint between ingest batches waits for readers, in milliseconds.
    static let restartWaitMilliseconds = 250

    static func open(path: String, readonly: Bool) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.readonly = readonly
        // The daemon and the CLI share the file; a reader waits briefly rather than failing on a lock.
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "herd.catalog"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            if !readonly {
                // WAL with synchronous=NORMAL keeps committed batches across a process crash.
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                // After each checkpoint the WAL is cut back to this size; the space it keeps lets a small status
                // update still commit when the disk is full.
                try db.execute(sql: "PRAGMA journal_size_limit = \(Catalog.walSizeLimit)")
            }
        }
        do {
            return try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw CatalogError(.cannotOpen, path: path, "cannot open the catalogue: \(error); check the file's permissions, or move it aside to start afresh")
        }
    }

    /// The size the WAL is cut back to after a checkpoint (`journal_size_limit`).
    public static let walSizeLimit = 4 << 20

    /// Copies the WAL into the database and restarts it from its beginning; returns false when a reader kept it
    /// from finishing. Between ingest batches (`truncate` false: `wal_checkpoint(RESTART)`) it waits at most
    /// `restartWaitMilliseconds` for readers, not the whole busy timeout, so a long read elsewhere holds up the next
    /// commit for a quarter of a second at most, while the short reads of `herd status` pollers let it finish and keep
    /// the WAL near `walSizeLimit`. At a quiet moment (`truncate`: `wal_checkpoint(TRUNCATE)`, waiting up to the busy
    /// timeout) it also gives the WAL's disk space back.
    @discardableResult
    public func checkpoint(truncate: Bool = false) throws -> Bool {
        try wrap {
            try pool.writeWithoutTransaction { db in
                if !truncate { try db.execute(sql: "PRAGMA busy_timeout = \(Self.restartWaitMilliseconds)") }
                defer { if !truncate { try? db.execute(sql: "PRAGMA busy_timeout = \(Int(Self.busyTimeout * 1000))") } }
                guard let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(\(truncate ? "TRUNCATE" : "RESTART"))") else { return false }
                // busy, WAL frames, frames copied: finished when nothing was busy and every frame was copied.
                let busy: Int = row[0], frames: Int = row[1], copied: Int = row[2]
                return busy == 0 && copied == frames
            }
        }
    }

    /// The WAL file's size in bytes (0 when there is none).
    public var walBytes: Int {
        ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Runs SQLite's `PRAGMA integrity_check`; returns `["ok"]` for a sound file.
    public func integrityCheck() throws -> [String] {
        try wrap { try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } }
    }

    /// Runs `body`, turning a database error into a `CatalogError` that names the catalogue.
    func wrap<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CatalogError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw CatalogError(
                .diskFull, path: path,
                "the disk holding the catalogue is full (\(error.message ?? "SQLITE_FULL")); nothing was written. Free some space: herd carries on by itself")
        } catch {
            throw CatalogError(.sqlite, path: path, "\(error)")
        }
    }
}
