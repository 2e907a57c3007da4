import Catalog
import Foundation
import ServiceLifecycle

/// Tells systemd (READY=1, STATUS=, WATCHDOG=1, STOPPING=1) and the catalogue (phase, heartbeat) how the daemon is doing.
struct StatusService: Service {
    let context: DaemonContext
    let notifier: SystemdNotifier

    /// How often the catalogue's heartbeat is written.
    static let heartbeat = Duration.seconds(2)

    func run() async throws {
        send("READY=1\nSTATUS=\(context.state.statusLine)\nMAINPID=\(getpid())")
        var lastStatus = ""
        var lastHeartbeat = ContinuousClock.now - Self.heartbeat
        var lastWatchdog = ContinuousClock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = ContinuousClock.now
            let status = context.state.statusLine
            let changed = status != lastStatus
            if changed {
                send("STATUS=\(status)")
                lastStatus = status
            }
            if let interval = notifier.watchdogInterval, now - lastWatchdog >= interval {
                send("WATCHDOG=1")
                lastWatchdog = now
            }
            if now - lastHeartbeat >= Self.heartbeat || changed {
                writeHeartbeat()
                lastHeartbeat = now
            }
            try? await Task.sleep(for: context.dependencies.tick)
        }
        context.state.update { $0.phase = .stopping }
        send("STOPPING=1\nSTATUS=\(context.state.statusLine)")
        writeHeartbeat()
    }

    private func writeHeartbeat() {
        let (note, health) = context.state.update { ($0.watchNote, $0.health) }
        do {
            try context.catalog.updateRun(context.runID, phase: context.state.phaseName, watchNote: .some(note), health: health)
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
