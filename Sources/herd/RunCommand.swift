import ArgumentParser
import Daemon
import Foundation

/// `herd run`: the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Keep the catalogue in step with the libraries: scan, then watch and embed new photos.",
        discussion: """
            Stops cleanly on SIGTERM or SIGINT (after the current batch); reloads the configuration on SIGHUP.
            Under systemd (Type=notify) it reports READY=1, STATUS= and WATCHDOG=1 on $NOTIFY_SOCKET.
            """)

    @Option(help: "Feature model name (overrides the configuration).")
    var model: String?

    @Option(help: "Encoder precision: auto, bf16 or fp32 (overrides the configuration and HERD_PRECISION).")
    var precision: EncoderPrecision?

    @OptionGroup var paths: PathOptions

    func run() async throws {
        let setup = try DaemonSetup(paths: paths, model: model, precision: precision)
        let daemon = HerdDaemon(
            configuration: setup.configuration, paths: setup.paths, dependencies: try setup.dependencies(), logger: DaemonSetup.logger())
        try await daemon.run()
    }
}
