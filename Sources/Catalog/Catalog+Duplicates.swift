import Foundation
import GRDB

/// A pair of photo contents that are near each other in the neighbour index.
public struct NearPair: Sendable, Equatable {
    /// Content hashes, `a < b` bytewise.
    public var a: Data
    public var b: Data
    /// Cosine distance of their features.
    public var distance: Float

    /// A pair, its hashes put in order.
    public init(_ x: Data, _ y: Data, distance: Float) {
        if x.lexicographicallyPrecedes(y) { (a, b) = (x, y) } else { (a, b) = (y, x) }
        self.distance = distance
    }
}

/// An embedded file as the duplicate listing shows it.
public struct DuplicateFile: Sendable, Equatable {
    public var path: String
    public var contentHash: Data
    /// Stored width × height (0 when unknown).
    public var width: Int
    public var height: Int
    /// Bytes on disk.
    public var size: Int64
    /// EXIF capture time as stored (`YYYY-MM-DDTHH:MM:SS`), if any.
    public var takenAt: String?

    public init(path: String, contentHash: Data, width: Int, height: Int, size: Int64, takenAt: String?) {
        self.path = path
        self.contentHash = contentHash
        self.width = width
        self.height = height
        self.size = size
        self.takenAt = takenAt
    }
}

/// What the duplicate groups are made from: the files that have a copy or a near pair, the pairs, and the
/// perceptual signatures of their contents.
public struct DuplicateCandidates: Sendable, Equatable {
    public var files: [DuplicateFile]
    public var pairs: [NearPair]
    public var signatures: [Data: UInt64]

    public init(files: [DuplicateFile], pairs: [NearPair], signatures: [Data: UInt64]) {
        self.files = files
        self.pairs = pairs
        self.signatures = signatures
    }
}

extension Catalog {
    /// The schema step that adds perceptual signatures and near pairs.
    static let duplicatesMigration = "v4-duplicates"

    /// `signatures`: one perceptual signature per content (any model), and `signature_bands` to find signatures that
    /// share a band with a given one (multi-index hashing); `near_pairs`: contents near each other in the
    /// neighbour index of a model; `near_checked`: contents whose neighbours were looked up.
    static func registerDuplicatesMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(duplicatesMigration) { db in
            try db.execute(sql: """
                CREATE TABLE signatures (
                    content_hash BLOB PRIMARY KEY,
                    signature INTEGER NOT NULL,
                    created_at REAL NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE near_pairs (
                    model_id TEXT NOT NULL,
                    a BLOB NOT NULL,
                    b BLOB NOT NULL,
                    distance REAL NOT NULL,
                    PRIMARY KEY (model_id, a, b)
                ) WITHOUT ROWID;
                CREATE INDEX near_pairs_by_b ON near_pairs(model_id, b);

                CREATE TABLE signature_bands (
                    band_key INTEGER NOT NULL,
                    content_hash BLOB NOT NULL,
                    PRIMARY KEY (band_key, content_hash)
                ) WITHOUT ROWID;

                CREATE TABLE near_checked (
                    model_id TEXT NOT NULL,
                    content_hash BLOB NOT NULL,
                    PRIMARY KEY (model_id, content_hash)
                ) WITHOUT ROWID;
                """)
        }
    }

    /// Stores perceptual signatures with their band keys (a content's signature never changes, so a second store is a
    /// no-op). `bands` gives the keys under which a signature can be found again.
    public func storeSignatures(
        _ signatures: [(contentHash: Data, signature: UInt64)], bands: (UInt64) -> [Int], now: Date = Date()
    ) throws {
        guard !signatures.isEmpty else { return }
        try wrap {
            try pool.write { db in
                for s in signatures {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO signatures (content_hash, signature, created_at) VALUES (?, ?, ?)",
                        arguments: [s.contentHash, Int64(bitPattern: s.signature), now.timeIntervalSince1970])
                    for key in bands(s.signature) {
                        try db.execute(
                            sql: "INSERT OR IGNORE INTO signature_bands (band_key, content_hash) VALUES (?, ?)", arguments: [key, s.contentHash])
                    }
                }
            }
        }
    }

    /// Signatures of these contents, where stored.
    public func signatures(of hashes: [Data]) throws -> [Data: UInt64] {
        try wrap {
            try pool.read { db in
                var out: [Data: UInt64] = [:]
                for hash in hashes {
                    if let value = try Int64.fetchOne(db, sql: "SELECT signature FROM signatures WHERE content_hash = ?", arguments: [hash]) {
                        out[hash] = UInt64(bitPattern: value)
                    }
                }
                return out
            }
        }
    }

    /// Contents whose signature shares at least one of these band keys, with their signatures: at most `limit` of
    /// them (any, when more share a band).
    public func signaturesSharingBands(_ keys: [Int], limit: Int = .max) throws -> [Data: UInt64] {
        guard !keys.isEmpty else { return [:] }
        return try wrap {
            try pool.read { db in
                var out: [Data: UInt64] = [:]
                let marks = keys.map { _ in "?" }.joined(separator: ",")
                for row in try Row.fetchAll(
                    db,
                    sql: """
                        SELECT s.content_hash, s.signature FROM signatures s WHERE s.content_hash IN
                            (SELECT content_hash FROM signature_bands WHERE band_key IN (\(marks))) LIMIT ?
                        """,
                    arguments: StatementArguments(keys + [min(limit, Int(Int64.max))])) {
                    out[row["content_hash"]] = UInt64(bitPattern: row["signature"] as Int64)
                }
                return out
            }
        }
    }

    /// Embedded contents with no signature yet, with one of their paths (made for photos ingested before signatures
    /// existed, or by an extractor that does not decode), in content order after `after` (nil: from the start). At
    /// most `limit`. Read through the content index, so a caller that goes on from the last content it got reads only
    /// what it gets (from the start, every content that has a signature is passed over: 0.14 s at 100,000 photos).
    public func contentsLackingSignature(after: Data? = nil, limit: Int) throws -> [(contentHash: Data, path: String)] {
        try wrap {
            try pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT f.content_hash, MIN(f.path) AS path FROM files f
                        WHERE f.content_hash > ? AND +f.state = 'done'
                            AND NOT EXISTS (SELECT 1 FROM signatures s WHERE s.content_hash = f.content_hash)
                        GROUP BY f.content_hash ORDER BY f.content_hash LIMIT ?
                        """,
                    arguments: [after ?? Data(), limit]
                ).map { (contentHash: $0["content_hash"], path: $0["path"]) }
            }
        }
    }

    /// Assigned contents (in the neighbour index) with a signature whose neighbours were not looked up yet for
    /// `modelID`, with their features, by neighbour-index key above `afterKey`. At most `limit`. (Waiting for the
    /// signature lets the lookup use it.) A caller that goes on from the last key it got reads only what it gets.
    public func photosNeedingNeighbourCheck(modelID: String, afterKey: Int64 = 0, limit: Int) throws -> [PhotoFeatures] {
        try wrap {
            try pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT a.key, a.content_hash, a.cluster_id, f.vector FROM assignments a
                        JOIN features f ON f.content_hash = a.content_hash AND f.model_id = ?
                        WHERE a.key > ?
                            AND NOT EXISTS (SELECT 1 FROM near_checked c WHERE c.model_id = ? AND c.content_hash = a.content_hash)
                            AND EXISTS (SELECT 1 FROM signatures s WHERE s.content_hash = a.content_hash)
                        ORDER BY a.key LIMIT ?
                        """,
                    arguments: [modelID, afterKey, modelID, limit]
                ).map(Self.photo(from:))
            }
        }
    }

    /// Content hashes of these neighbour-index keys.
    public func contentHashes(forKeys keys: [Int64]) throws -> [Int64: Data] {
        try wrap {
            try pool.read { db in
                var out: [Int64: Data] = [:]
                for key in keys {
                    if let hash = try Data.fetchOne(db, sql: "SELECT content_hash FROM assignments WHERE key = ?", arguments: [key]) {
                        out[key] = hash
                    }
                }
                return out
            }
        }
    }

    /// Records, in one transaction, that `checked` had their neighbours looked up, and the pairs found.
    public func recordNearPairs(_ pairs: [NearPair], checked: [Data], modelID: String) throws {
        try wrap {
            try pool.write { db in
                for pair in pairs {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO near_pairs (model_id, a, b, distance) VALUES (?, ?, ?, ?)",
                        arguments: [modelID, pair.a, pair.b, Double(pair.distance)])
                }
                for hash in checked {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO near_checked (model_id, content_hash) VALUES (?, ?)", arguments: [modelID, hash])
                }
            }
        }
    }

    /// Forgets pairs, checks and signatures of contents no embedded file holds any more; returns how many pairs went.
    @discardableResult
    public func removeOrphanDuplicateData() throws -> Int {
        try wrap {
            try pool.write { db in
                let live = "SELECT 1 FROM files WHERE +files.state = 'done' AND files.content_hash ="
                try db.execute(sql: "DELETE FROM near_pairs WHERE NOT EXISTS (\(live) near_pairs.a) OR NOT EXISTS (\(live) near_pairs.b)")
                let removed = db.changesCount
                try db.execute(sql: "DELETE FROM near_checked WHERE NOT EXISTS (\(live) near_checked.content_hash)")
                try db.execute(sql: "DELETE FROM signatures WHERE NOT EXISTS (\(live) signatures.content_hash)")
                try db.execute(sql: "DELETE FROM signature_bands WHERE NOT EXISTS (\(live) signature_bands.content_hash)")
                return removed
            }
        }
    }

    /// Files with an exact copy or a near pair for `modelID`, the pairs, and their contents' signatures.
    public func duplicateCandidates(modelID: String) throws -> DuplicateCandidates {
        try wrap {
            try pool.read { db in
                let pairs = try Row.fetchAll(db, sql: "SELECT a, b, distance FROM near_pairs WHERE model_id = ?", arguments: [modelID])
                    .map { NearPair($0["a"], $0["b"], distance: Float($0["distance"] as Double)) }
                let files = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT path, content_hash, COALESCE(width, 0) AS width, COALESCE(height, 0) AS height, size, taken_at
                        FROM files WHERE state = 'done' AND content_hash IS NOT NULL AND (
                            content_hash IN (SELECT a FROM near_pairs WHERE model_id = ?)
                            OR content_hash IN (SELECT b FROM near_pairs WHERE model_id = ?)
                            OR content_hash IN (SELECT content_hash FROM files WHERE state = 'done' GROUP BY content_hash HAVING COUNT(*) > 1))
                        ORDER BY path
                        """,
                    arguments: [modelID, modelID]
                ).map {
                    DuplicateFile(path: $0["path"], contentHash: $0["content_hash"], width: $0["width"], height: $0["height"],
                                  size: $0["size"], takenAt: $0["taken_at"])
                }
                var signatures: [Data: UInt64] = [:]
                for row in try Row.fetchAll(
                    db,
                    sql: """
                        SELECT content_hash, signature FROM signatures WHERE content_hash IN
                            (SELECT a FROM near_pairs WHERE model_id = ? UNION SELECT b FROM near_pairs WHERE model_id = ?)
                        """,
                    arguments: [modelID, modelID]) {
                    signatures[row["content_hash"]] = UInt64(bitPattern: row["signature"] as Int64)
                }
                return DuplicateCandidates(files: files, pairs: pairs, signatures: signatures)
            }
        }
    }

    /// The content hash of every embedded file, by path.
    public func contentHashesByPath() throws -> [String: Data] {
        try wrap {
            try pool.read { db in
                var out: [String: Data] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT path, content_hash FROM files WHERE state = 'done' AND content_hash IS NOT NULL") {
                    out[row["path"]] = row["content_hash"]
                }
                return out
            }
        }
    }

    /// Content hashes of every embedded file: the thumbnails worth keeping.
    public func embeddedContentHashes() throws -> Set<Data> {
        try wrap {
            try pool.read { db in
                Set(try Data.fetchAll(db, sql: "SELECT DISTINCT content_hash FROM files WHERE state = 'done' AND content_hash IS NOT NULL"))
            }
        }
    }

    /// A short text that changes whenever the near pairs or signatures do.
    public func duplicatesFingerprint(modelID: String) throws -> String {
        try wrap {
            try pool.read { db in
                try String.fetchOne(
                    db,
                    sql: """
                        SELECT (SELECT COUNT(*) || ':' || COALESCE(SUM(distance), 0) FROM near_pairs WHERE model_id = ?)
                            || '|' || (SELECT COUNT(*) FROM signatures)
                        """,
                    arguments: [modelID]) ?? ""
            }
        }
    }
}
