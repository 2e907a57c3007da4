import Catalog
import Foundation
import Tensor

/// What `herd scan` did.
public struct ScanOutcome: Sendable, Codable {
    /// The reconcile.
    public var scan: ScanReport
    /// Files ingested.
    public var ingested: Int
    /// Of those, newly embedded.
    public var encoded: Int
    /// Of those, reusing features of identical content.
    public var reused: Int
    /// Of those, failed.
    public var failed: Int
}

extension HerdDaemon {
    /// One reconcile of every library plus ingest of what is pending, then exit: the daemon's work without the
    /// watching. `onProgress(done, total)` is called after each batch.
    public func scanOnce(onProgress: @escaping (Int, Int) -> Void = { _, _ in }) async throws -> ScanOutcome {
        let (locks, catalog, runID) = try open(kind: "scan")
        let workers = dependencies.extractor.pool ?? ComputePool(threads: configuration.threads, name: "herd.ingest")
        let scanner = Scanner(
            layout: LibraryLayout(roots: configuration.libraries, output: configuration.output), catalog: catalog, logger: logger)
        let report = try await workers.run { try scanner.reconcileAll() }
        try catalog.recordEvent(runID: runID, kind: "scan", detail: "herd scan: \(report.seen) files, \(report.summary)")
        let total = try catalog.pendingCount()
        onProgress(0, total)
        let pipeline = IngestPipeline(
            catalog: catalog, extractor: dependencies.extractor, inspector: dependencies.inspector, workers: workers,
            batchSize: configuration.batchSize, runID: runID, logger: logger)
        let progress = try await pipeline.drain(onBatch: { progress in onProgress(progress.files, total) })
        try catalog.finishRun(runID)
        withExtendedLifetime(locks) {}
        return ScanOutcome(scan: report, ingested: progress.files, encoded: progress.encoded, reused: progress.reused, failed: progress.failed)
    }
}
