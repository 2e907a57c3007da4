import Foundation

/// The channels between the daemon's services: library → ingest → herds, and everything → status. A service sleeps
/// on its channel (and its own timers) until another one has something for it; an idle daemon makes no wake-ups
/// besides its slow heartbeat and the once-a-second look for CLI requests.
struct DaemonEvents: Sendable {
    /// Library → ingest: files were queued (added, changed, retried), or a library came back.
    let pendingChanged = EventChannel<Void>()
    /// Library, reload → library service: file events are waiting, or the configuration was reloaded.
    let libraryChanged = EventChannel<Void>()
    /// Ingest, library, requests, retrain → herds: what changed since the herds last looked.
    let herdsChanged = EventChannel<HerdsChange>(merge: { $0.merged(with: $1) })
    /// Any change of what `herd status` shows (raised by `DaemonState`) → status.
    var statusChanged: EventChannel<Void> { state.changes }

    private let state: DaemonState

    /// The channels of a daemon whose shared state is `state`.
    init(state: DaemonState) {
        self.state = state
    }
}

/// What the herds service is told changed; values sent while it is busy are merged.
struct HerdsChange: Sendable, Equatable {
    /// The contents of files ingest committed (or that moved): only these need a cluster and a link, so the herds
    /// service looks at them alone instead of every photo.
    var contents: Set<Data> = []
    /// Paths whose links must go (files deleted, moved away or changed); a moved file's content is in `contents`.
    var leftPaths: Set<String> = []
    /// A scan of whole libraries ran: anything may have changed, so the herds service compares every photo with the
    /// folders.
    var filesChanged = false
    /// The CLI queued a request.
    var requests = false
    /// The background retrain finished.
    var retrainFinished = false
    /// The overview pages were written (in the background).
    var overviewWritten = false
    /// The configuration was reloaded.
    var configuration = false

    /// Both changes.
    func merged(with other: HerdsChange) -> HerdsChange {
        HerdsChange(
            contents: contents.union(other.contents), leftPaths: leftPaths.union(other.leftPaths), filesChanged: filesChanged || other.filesChanged,
            requests: requests || other.requests, retrainFinished: retrainFinished || other.retrainFinished,
            overviewWritten: overviewWritten || other.overviewWritten, configuration: configuration || other.configuration)
    }
}
