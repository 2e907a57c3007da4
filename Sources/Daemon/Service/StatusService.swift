import Catalog
import Foundation
import ServiceLifecycle

/// Tells systemd (READY=1, STATUS=, WATCHDOG=1, STOPPING=1) and the catalogue (phase, heartbeat) how the daemon is
/// doing: when what `herd status` shows changes (at most once a second), at the systemd watchdog's rate when
/// `WATCHDOG_USEC` asks for it, and otherwise a heartbeat every 30 s. Between them it sleeps.
struct StatusService: Service {
    let context: DaemonContext
    let notifier: SystemdNotifier

    /// How often the catalogue's heartbeat is written when nothing changes.
    static let heartbeat = Duration.seconds(30)
    /// The shortest time between two writes of a changed status (ingest progress changes it with every batch).
    static let minimumInterval = Duration.seconds(1)

    func run() async throws {
        let clock = context.clock, channel = context.events.statusChanged
        send("READY=1\nSTATUS=\(context.state.statusLine)\nMAINPID=\(getpid())")
        var lastStatus = context.state.statusLine
        var lastHeartbeat = clock.now()
        var lastWatchdog = clock.now()
        var unwritten = false
        writeHeartbeat()
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                var deadline = lastHeartbeat + (unwritten ? Self.minimumInterval : Self.heartbeat)
                if let interval = notifier.watchdogInterval { deadline = min(deadline, lastWatchdog + interval) }
                _ = await channel.next(until: deadline, clock: clock)
                let now = clock.now()
                let status = context.state.statusLine
                if status != lastStatus {
                    send("STATUS=\(status)")
                    lastStatus = status
                    unwritten = true
                }
                if let interval = notifier.watchdogInterval, now - lastWatchdog >= interval {
                    send("WATCHDOG=1")
                    lastWatchdog = now
                }
                if now - lastHeartbeat >= Self.heartbeat || (unwritten && now - lastHeartbeat >= Self.minimumInterval) {
                    writeHeartbeat()
                    lastHeartbeat = now
                    unwritten = false
                }
            }
        } onGracefulShutdown: {
            channel.interrupt()
        }
        context.state.update { $0.phase = .stopping }
        send("STOPPING=1\nSTATUS=\(context.state.statusLine)")
        writeHeartbeat()
    }

    /// Records the phase and health; while idle, also gives the WAL's space back, so heartbeats do not pile up in it.
    private func writeHeartbeat() {
        let (note, health, idle) = context.state.read { v in (v.watchNote, v.health, v.phase == .watching) }
        do {
            try context.catalog.updateRun(context.runID, phase: context.state.phaseName, watchNote: .some(note), health: health)
            if idle { _ = try? context.catalog.checkpoint(truncate: true) }
        } catch {
            context.logger.warning("cannot record the daemon's status", metadata: ["error": "\(error)"])
        }
    }

    private func send(_ message: String) {
        guard notifier.isEnabled else { return }
        do {
            try notifier.send(message)
        } catch {
            context.logger.warning("sd_notify failed", metadata: ["error": "\(error)"])
        }
    }
}
