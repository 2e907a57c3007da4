import Catalog
import Foundation
import ServiceLifecycle

/// Drains the ingest queue whenever the library service says files were queued, and tells the herds what it
/// committed; otherwise it sleeps. On shutdown it finishes its batch and returns. A full disk pauses it (reported by
/// `herd status`) until a retry finds space again; the WAL is checkpointed between batches and when the queue runs dry,
/// so it stays small.
struct IngestService: Service {
    let context: DaemonContext

    /// How long a paused ingest waits before trying to write again.
    static let diskFullRetry = Duration.seconds(5)
    /// How often the WAL is checkpointed during a long ingest (and whenever it has outgrown `Catalog.walSizeLimit`).
    static let checkpointInterval = Duration.seconds(2)

    func run() async throws {
        let state = context.state, channel = context.events.pendingChanged, clock = context.clock
        try await withGracefulShutdownHandler {
            var due = false
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                if !due {
                    guard await channel.next(until: nil, clock: clock) != nil else { continue }
                }
                due = false
                do {
                    try await drain()
                    if state.read({ $0.diskFull }) != nil {
                        context.logger.notice("disk space is available again; ingest resumed")
                        state.update { $0.diskFull = nil }
                    }
                } catch let error as CatalogError where error.code == .diskFull {
                    if state.read({ $0.diskFull }) == nil {
                        context.logger.warning("the disk is full; ingest paused until space is freed", metadata: ["error": "\(error.message)"])
                    }
                    // The reserve's space lets the heartbeat say so; ingest waits until there is room beyond it.
                    context.reserve.release()
                    state.update { v in
                        v.diskFull = "the disk holding \(context.catalog.path) is full; ingest resumes by itself when space is freed"
                        if case .ingesting = v.phase { v.phase = .watching }
                    }
                    repeat {
                        try? await clock.sleep(clock.now() + Self.diskFullRetry)
                    } while !context.reserve.hasRoomToResume && !Task.isShuttingDownGracefully && !Task.isCancelled
                    context.reserve.take()
                    due = true
                }
            }
        } onGracefulShutdown: {
            channel.interrupt()
        }
    }

    private func drain() async throws {
        let state = context.state
        let configuration = state.configuration
        let catalog = context.catalog
        let pipeline = IngestPipeline(
            catalog: catalog, extractor: context.dependencies.extractor, inspector: context.dependencies.inspector,
            workers: context.workers, batchSize: configuration.batchSize, runID: context.runID, logger: context.logger)
        let pendingAtStart = try catalog.pendingCount()
        let clock = context.clock, herds = context.events.herdsChanged
        let started = clock.now()
        var lastCheckpoint = started
        let progress = try await pipeline.drain(shouldStop: { Task.isShuttingDownGracefully }) { progress in
            let now = clock.now()
            herds.send(HerdsChange(contents: progress.lastBatchContents))
            let elapsed = (now - started).inSeconds
            state.update { v in
                v.rate = elapsed > 0 ? Double(progress.files) / elapsed : 0
                v.diskFull = nil
                if v.phase != .scanning && v.phase != .stopping {
                    v.phase = .ingesting(done: progress.files, pending: max(0, pendingAtStart - progress.files))
                }
            }
            if now - lastCheckpoint >= Self.checkpointInterval || catalog.walBytes > Catalog.walSizeLimit {
                checkpoint(truncate: false)
                lastCheckpoint = now
            }
        }
        if progress.files > 0 {
            context.logger.info(
                "ingested", metadata: ["files": "\(progress.files)", "encoded": "\(progress.encoded)", "reused": "\(progress.reused)", "failed": "\(progress.failed)"])
            // The queue ran dry; the herds service is likely still reading what was committed, so no waiting here:
            // the idle heartbeat gives the WAL's space back (StatusService).
            checkpoint(truncate: false)
            Syscall.releaseFreedMemory()
        }
        state.update { v in
            if case .ingesting = v.phase { v.phase = .watching }
        }
    }

    /// A checkpoint that a busy reader (or a full disk) defers to the next one.
    private func checkpoint(truncate: Bool) {
        do {
            try context.catalog.checkpoint(truncate: truncate)
        } catch {
            context.logger.debug("WAL checkpoint deferred", metadata: ["error": "\(error)"])
        }
    }
}
