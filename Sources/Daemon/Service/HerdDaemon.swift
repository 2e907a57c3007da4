import Catalog
import Foundation
import Logging
import ServiceLifecycle
import Tensor

/// The daemon: takes the catalogue's writer lock, records a run, and runs its services until SIGTERM or SIGINT
/// (which finish the current batch first). SIGHUP reloads the configuration file.
public struct HerdDaemon: Sendable {
    /// Settings at start.
    public var configuration: HerdConfiguration
    /// Where the configuration file and catalogue are.
    public var paths: HerdPaths
    /// Plugs and seams.
    public var dependencies: DaemonDependencies
    /// Where diagnostics go.
    public var logger: Logger

    /// A daemon; `configuration` must already be validated.
    public init(configuration: HerdConfiguration, paths: HerdPaths, dependencies: DaemonDependencies, logger: Logger) {
        self.configuration = configuration
        self.paths = paths
        self.dependencies = dependencies
        self.logger = logger
    }

    /// Opens the catalogue as its only writer and starts a run of `kind`; with `output`, also marks that folder as
    /// herd's and locks it, before anything is recorded.
    func open(kind: String, output: String? = nil) throws -> ([WriterLock], Catalog, Int64) {
        var locks = [try WriterLock(catalogPath: paths.catalog)]
        if let output {
            // The output folder is this daemon's alone: marked as herd's, and locked against a daemon of another catalogue.
            try FolderWriter(root: output).prepare()
            locks.append(try WriterLock(outputFolder: output))
        }
        let catalog = try Catalog.openForWriting(path: paths.catalog)
        let requeued = try catalog.requeueFilesMissingFeatures(modelID: dependencies.extractor.modelID)
        if requeued > 0 {
            logger.notice("files queued again for the model", metadata: ["files": "\(requeued)", "model": "\(dependencies.extractor.modelID)"])
        }
        let runID = try catalog.beginRun(kind: kind, pid: getpid(), modelID: dependencies.extractor.modelID, blasCore: dependencies.blasCore)
        return (locks, catalog, runID)
    }

    /// Runs until SIGTERM or SIGINT: initial scan, then watch and ingest.
    public func run() async throws {
        // Until the reload service traps SIGHUP, its default action would end the process.
        signal(SIGHUP, SIG_IGN)
        let (locks, catalog, runID) = try open(kind: "daemon", output: configuration.output)
        let state = DaemonState(configuration: configuration)
        let notifier = SystemdNotifier(environment: dependencies.environment)
        let workers = dependencies.extractor.pool ?? ComputePool(threads: configuration.threads, name: "herd.ingest")
        // Every thread of a retrain (the job and its parallel loops) runs at idle CPU and I/O priority.
        let retrainPool = ComputePool(threads: configuration.threads, name: "herd.retrain", background: true)
        let reserve = DiskReserve(catalogPath: paths.catalog)
        reserve.take()
        let context = DaemonContext(
            catalog: catalog, runID: runID, state: state, events: DaemonEvents(state: state), dependencies: dependencies, paths: paths,
            workers: workers, retrainPool: retrainPool, reserve: reserve, logger: logger)
        let services: [any Service] = [
            StatusService(context: context, notifier: notifier),
            IngestService(context: context),
            LibraryService(context: context),
            ReloadService(context: context),
            ClusterService(context: context),
        ]
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info("herd daemon started", metadata: ["catalog": "\(paths.catalog)", "model": "\(dependencies.extractor.modelID)"])
        try await group.run()
        try catalog.finishRun(runID)
        logger.info("herd daemon stopped")
        withExtendedLifetime(locks) {}
    }
}

/// What every service of one daemon run shares.
struct DaemonContext: Sendable {
    var catalog: Catalog
    var runID: Int64
    var state: DaemonState
    /// How the services tell each other that something changed.
    var events: DaemonEvents
    var dependencies: DaemonDependencies
    var paths: HerdPaths
    /// The ingest pool (configured `threads`): hashing, decoding, the encoder, and the folder and catalogue upkeep.
    var workers: ComputePool
    /// The background pool (configured `threads`, idle priority): the retrain, and loading the neighbour index.
    var retrainPool: ComputePool
    /// Space given back when the disk fills, so the daemon can still report that it is paused.
    var reserve: DiskReserve
    var logger: Logger

    var clock: DaemonClock { dependencies.clock }
}
