import Catalog
import Foundation

/// What the daemon is built from, as plain values: the plugs for the decoder and encoder, the file-event source,
/// the clock, and the environment. Tests hand in their own; `herd run` hands in the real ones.
public struct DaemonDependencies: Sendable {
    /// The encoder's plug.
    public var extractor: FeatureExtractor
    /// The decoder's plug.
    public var inspector: ImageInspector
    /// Makes a file-event source (inotify by default).
    public var makeFileEvents: @Sendable () throws -> FileEventSource
    /// The OpenBLAS core in use, shown by `herd status`.
    public var blasCore: String?
    /// The process environment (for `NOTIFY_SOCKET` and overrides).
    public var environment: [String: String]
    /// The time the debounce, rescan, retrain and heartbeat timers run on.
    public var clock: DaemonClock
    /// The `model` and `precision` settings the running encoder was built from (nil: a test plug), so a reload can
    /// say which changes need a restart.
    public var encoderSettings: (model: String, precision: String)?
    /// `--model` / `--precision` given to the command: they override the file, on reload too.
    public var commandLine: (model: String?, precision: String?) = (nil, nil)

    /// Dependencies; the file events default to a real inotify watcher.
    public init(
        extractor: FeatureExtractor, inspector: ImageInspector,
        makeFileEvents: @escaping @Sendable () throws -> FileEventSource = { try InotifyWatcher().source },
        blasCore: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment, clock: DaemonClock = .continuous
    ) {
        self.extractor = extractor
        self.inspector = inspector
        self.makeFileEvents = makeFileEvents
        self.blasCore = blasCore
        self.environment = environment
        self.clock = clock
    }
}
