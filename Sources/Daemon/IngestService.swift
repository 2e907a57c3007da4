import Catalog
import Foundation
import ServiceLifecycle

/// Drains the ingest queue whenever the library service reports changes; on shutdown finishes its batch and returns.
struct IngestService: Service {
    let context: DaemonContext

    func run() async throws {
        let state = context.state
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let shouldRun = state.update { v -> Bool in
                defer { v.wakeIngest = false }
                return v.wakeIngest
            }
            if shouldRun {
                let configuration = state.configuration
                let pipeline = IngestPipeline(
                    catalog: context.catalog, extractor: context.dependencies.extractor, inspector: context.dependencies.inspector,
                    workers: context.workers, batchSize: configuration.batchSize, runID: context.runID, logger: context.logger)
                let pendingAtStart = try context.catalog.counts(modelID: context.dependencies.extractor.modelID).pending
                let started = ContinuousClock.now
                let progress = try await pipeline.drain(shouldStop: { Task.isShuttingDownGracefully }) { progress in
                    let elapsed = (ContinuousClock.now - started).inSeconds
                    state.update { v in
                        v.rate = elapsed > 0 ? Double(progress.files) / elapsed : 0
                        if v.phase != .scanning && v.phase != .stopping {
                            v.phase = .ingesting(done: progress.files, pending: max(0, pendingAtStart - progress.files))
                        }
                    }
                }
                if progress.files > 0 {
                    context.logger.info(
                        "ingested", metadata: ["files": "\(progress.files)", "encoded": "\(progress.encoded)", "reused": "\(progress.reused)", "failed": "\(progress.failed)"])
                }
                state.update { v in
                    if case .ingesting = v.phase { v.phase = .watching }
                }
            } else {
                try? await Task.sleep(for: context.dependencies.tick)
            }
        }
    }
}
