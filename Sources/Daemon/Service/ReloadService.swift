import Foundation
import ServiceLifecycle
import UnixSignals

/// Reloads the configuration file on SIGHUP; a bad file is reported and the running settings are kept.
struct ReloadService: Service {
    let context: DaemonContext

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            do {
                let dependencies = context.dependencies
                let loaded = try HerdConfiguration.load(from: context.paths.config).overridden(by: dependencies.environment)
                    .overridden(model: dependencies.commandLine.model, precision: dependencies.commandLine.precision).validated()
                if let built = dependencies.encoderSettings {
                    if loaded.model != built.model {
                        context.logger.warning(
                            "a new model takes effect after a restart", metadata: ["running": "\(built.model)", "configured": "\(loaded.model)"])
                    }
                    if loaded.precision != built.precision {
                        context.logger.warning(
                            "a new encoder precision takes effect after a restart", metadata: ["running": "\(built.precision)", "configured": "\(loaded.precision)"])
                    }
                }
                context.state.update { v in
                    v.reload = loaded
                    v.reloadError = nil
                }
                context.events.libraryChanged.send(())
                context.events.herdsChanged.send(HerdsChange(configuration: true))
                try? context.catalog.recordEvent(runID: context.runID, kind: "reload", detail: "configuration reloaded from \(context.paths.config)")
                context.logger.notice("configuration reloaded", metadata: ["path": "\(context.paths.config)"])
            } catch {
                context.logger.error("configuration not reloaded; keeping the running settings", metadata: ["error": "\(error)"])
                context.state.update { $0.reloadError = "\(error)" }
                try? context.catalog.recordEvent(runID: context.runID, kind: "reload-failed", detail: "\(error)")
            }
        }
    }
}
