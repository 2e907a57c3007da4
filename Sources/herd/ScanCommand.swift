import ArgumentParser
import Daemon
import Foundation

/// `herd scan`: one reconcile and ingest, then exit.
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Reconcile the catalogue with the libraries once and embed what is new, then exit.")

    @Flag(help: "Print the outcome as JSON.")
    var json = false

    @Option(help: "Encoder precision: auto, bf16 or fp32 (overrides the configuration and HERD_PRECISION).")
    var precision: EncoderPrecision?

    @OptionGroup var paths: PathOptions

    func run() async throws {
        let setup = try DaemonSetup(paths: paths, precision: precision)
        let daemon = HerdDaemon(
            configuration: setup.configuration, paths: setup.paths, dependencies: try setup.dependencies(), logger: DaemonSetup.logger())
        let bar = ProgressBar(label: "embedding", enabled: !json)
        let outcome = try await daemon.scanOnce { done, total in bar.show(done, of: total) }
        bar.finish()
        if json {
            try JSONOutput.print(outcome)
        } else {
            print("scanned \(outcome.scan.seen) files in \(outcome.scan.directories) folders: \(outcome.scan.summary)")
            for (root, reason) in outcome.scan.unavailableRoots.sorted(by: { $0.key < $1.key }) {
                print("library \(root) unavailable (its photos are kept): \(reason)")
            }
            print("ingested \(outcome.ingested): \(outcome.encoded) embedded, \(outcome.reused) reused, \(outcome.failed) failed")
        }
        if outcome.failed > 0 {
            throw PartialFailure(message: "\(outcome.failed) files could not be read; `herd files --failed` lists them with the reason")
        }
    }
}
