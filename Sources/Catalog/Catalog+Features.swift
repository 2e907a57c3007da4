import Foundation
import GRDB

/// The outcome of ingesting one file, committed with its batch.
public struct IngestOutcome: Sendable {
    /// The file row, and the stat the work was done against: the row is updated only if it still matches.
    public var id: Int64
    /// The stat when the file was read.
    public var stat: FileStat
    /// SHA-256 of the content, when it could be read.
    public var contentHash: Data?
    /// Header metadata, when the file could be inspected.
    public var metadata: ImageMetadata?
    /// A newly computed feature vector (nil when reused or failed).
    public var features: [Float]?
    /// Why it failed; nil on success.
    public var error: String?
    /// The kind of failure, which decides when it is retried; nil on success.
    public var failure: FailureKind?

    /// One file's outcome.
    public init(
        id: Int64, stat: FileStat, contentHash: Data?, metadata: ImageMetadata?, features: [Float]?, error: String?, failure: FailureKind? = nil
    ) {
        self.id = id
        self.stat = stat
        self.contentHash = contentHash
        self.metadata = metadata
        self.features = features
        self.error = error
        self.failure = error == nil ? nil : (failure ?? .corrupt)
    }
}

/// Counters a batch adds to its run.
public struct BatchCounters: Sendable {
    /// Calls made to the feature extractor.
    public var extractorCalls: Int
    /// Images handed to the feature extractor.
    public var imagesEncoded: Int
    /// Wall-clock seconds the batch took.
    public var seconds: Double

    /// Batch counters.
    public init(extractorCalls: Int, imagesEncoded: Int, seconds: Double) {
        self.extractorCalls = extractorCalls
        self.imagesEncoded = imagesEncoded
        self.seconds = seconds
    }
}

extension Catalog {
    /// The subset of `hashes` that already have features for `modelID`.
    public func hashesWithFeatures(_ hashes: [Data], modelID: String) throws -> Set<Data> {
        if hashes.isEmpty { return [] }
        return try wrap {
            try pool.read { db in
                var found = Set<Data>()
                for hash in Set(hashes) {
                    if try Bool.fetchOne(
                        db, sql: "SELECT 1 FROM features WHERE content_hash = ? AND model_id = ?", arguments: [hash, modelID]) == true {
                        found.insert(hash)
                    }
                }
                return found
            }
        }
    }

    /// Metadata already read for this content from another file, so copies and moves are not read again.
    public func knownMetadata(forHash hash: Data) throws -> ImageMetadata? {
        try wrap {
            try pool.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT * FROM files WHERE content_hash = ? AND format IS NOT NULL LIMIT 1", arguments: [hash]
                ).flatMap { Self.file(from: $0).metadata }
            }
        }
    }

    /// The stored feature vector for a content hash and model.
    public func features(forHash hash: Data, modelID: String) throws -> [Float]? {
        try wrap {
            try pool.read { db in
                try Data.fetchOne(
                    db, sql: "SELECT vector FROM features WHERE content_hash = ? AND model_id = ?", arguments: [hash, modelID]
                ).map(Self.floats(fromLittleEndian:))
            }
        }
    }

    /// Commits one ingest batch in a single transaction: features, file states and the run's counters together,
    /// so a crash either keeps all of it or none.
    public func commit(_ outcomes: [IngestOutcome], modelID: String, runID: Int64, counters: BatchCounters, now: Date = Date()) throws {
        let t = now.timeIntervalSince1970
        try wrap {
            try pool.write { db in
                for outcome in outcomes {
                    if let vector = outcome.features, let hash = outcome.contentHash {
                        try db.execute(
                            sql: """
                                INSERT INTO features (content_hash, model_id, dimension, vector, created_at) VALUES (?, ?, ?, ?, ?)
                                ON CONFLICT DO NOTHING
                                """,
                            arguments: [hash, modelID, vector.count, Self.littleEndianData(vector), t])
                    }
                    let s = outcome.stat
                    let m = outcome.metadata
                    // Only if the file is still the one that was read: a change meanwhile left it pending again.
                    try db.execute(
                        sql: """
                            UPDATE files SET content_hash = ?, format = ?, width = ?, height = ?, orientation = ?, taken_at = ?,
                                camera = ?, state = ?, error = ?, failure = ?, updated_at = ?
                            WHERE id = ? AND path = ? AND device = ? AND inode = ? AND size = ? AND mtime_ns = ? AND state = 'pending'
                            """,
                        arguments: [
                            outcome.contentHash, m?.format, m?.width, m?.height, m?.orientation, m?.takenAt, m?.camera,
                            outcome.error == nil ? FileState.done.rawValue : FileState.failed.rawValue, outcome.error, outcome.failure?.rawValue, t,
                            outcome.id, s.path, Int64(bitPattern: s.device), Int64(bitPattern: s.inode), s.size, s.mtimeNanoseconds,
                        ])
                }
                try db.execute(
                    sql: """
                        UPDATE runs SET extractor_calls = extractor_calls + ?, images_encoded = images_encoded + ?,
                            files_ingested = files_ingested + ?, ingest_seconds = ingest_seconds + ?, heartbeat_at = ?
                        WHERE id = ?
                        """,
                    arguments: [counters.extractorCalls, counters.imagesEncoded, outcomes.count, counters.seconds, t, runID])
            }
        }
    }

    /// Puts embedded files back in the queue when their content has no features for `modelID` (the model changed).
    @discardableResult
    public func requeueFilesMissingFeatures(modelID: String) throws -> Int {
        try wrap {
            try pool.write { db in
                try db.execute(
                    sql: """
                        UPDATE files SET state = 'pending' WHERE state = 'done' AND NOT EXISTS
                            (SELECT 1 FROM features WHERE features.content_hash = files.content_hash AND features.model_id = ?)
                        """,
                    arguments: [modelID])
                let requeued = db.changesCount
                if requeued > 0 { try Self.bumpRemovals(db) }
                return requeued
            }
        }
    }

    /// `[Float]` as little-endian float32 bytes.
    public static func littleEndianData(_ vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 4)
        for value in vector {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Little-endian float32 bytes as `[Float]`.
    public static func floats(fromLittleEndian data: Data) -> [Float] {
        let bytes = [UInt8](data)
        return stride(from: 0, to: bytes.count - bytes.count % 4, by: 4).map { i in
            let bits = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            return Float(bitPattern: bits)
        }
    }
}
