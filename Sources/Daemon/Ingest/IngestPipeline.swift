import Catalog
import Foundation
import Logging
import Tensor

/// What one drain of the ingest queue did.
public struct IngestProgress: Sendable, Equatable {
    /// Files processed (embedded, reused or failed).
    public var files = 0
    /// Files newly embedded.
    public var encoded = 0
    /// Files whose content already had features (moves, copies): no encoder call.
    public var reused = 0
    /// Files that failed.
    public var failed = 0
    /// Batches committed.
    public var batches = 0
    /// Contents of the files the latest batch committed as embedded (newly or reusing features): what the herds
    /// service assigns and links next.
    public var lastBatchContents: Set<Data> = []

    /// Nothing yet.
    public init() {}
}

/// Pending files → hash and inspect on worker threads → one extractor call per batch → one transaction per batch.
/// Content that already has features for the model is never handed to the extractor again.
public struct IngestPipeline: Sendable {
    /// The catalogue read from and committed to.
    public var catalog: Catalog
    /// The encoder's plug.
    public var extractor: FeatureExtractor
    /// The decoder's plug.
    public var inspector: ImageInspector
    /// Threads for hashing, inspecting and extracting.
    public var workers: ComputePool
    /// Files per batch (and per transaction).
    public var batchSize: Int
    /// The run the counters are added to.
    public var runID: Int64
    /// Where diagnostics go.
    public var logger: Logger

    /// A pipeline.
    public init(
        catalog: Catalog, extractor: FeatureExtractor, inspector: ImageInspector, workers: ComputePool, batchSize: Int, runID: Int64,
        logger: Logger
    ) {
        self.catalog = catalog
        self.extractor = extractor
        self.inspector = inspector
        self.workers = workers
        self.batchSize = max(1, batchSize)
        self.runID = runID
        self.logger = logger
    }

    /// Ingests pending files until none are left. `shouldStop` is asked between batches, so a shutdown finishes the
    /// current batch and returns; `onBatch` sees the running totals after each commit. Memory holds one batch
    /// in flight plus the next being hashed, whatever the library's size.
    public func drain(
        shouldStop: @Sendable () -> Bool = { false }, onBatch: (IngestProgress) -> Void = { _ in }
    ) async throws -> IngestProgress {
        var progress = IngestProgress()
        var cursor: Int64 = 0
        var batch = try catalog.pendingFiles(afterID: cursor, limit: batchSize)
        var batchStart = ContinuousClock.now
        var prepared = try await prepare(batch)
        while !batch.isEmpty {
            cursor = batch.last?.id ?? cursor
            let following = try catalog.pendingFiles(afterID: cursor, limit: batchSize)
            // Hash and inspect the next batch while this one is being encoded.
            async let preparedNext = prepare(following)
            let result = try await encodeAndCommit(prepared, since: batchStart)
            batchStart = ContinuousClock.now
            progress.files += result.files
            progress.encoded += result.encoded
            progress.reused += result.reused
            progress.failed += result.failed
            progress.batches += 1
            progress.lastBatchContents = result.lastBatchContents
            onBatch(progress)
            let next = try await preparedNext
            if shouldStop() { break }
            batch = following
            prepared = next
        }
        return progress
    }
}
