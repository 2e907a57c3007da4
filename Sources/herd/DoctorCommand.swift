import ArgumentParser
import Daemon
import Encoder
import Foundation
import Tensor

/// `herd doctor`: what herd runs on (BLAS kernels, threads, CPU features, model store).
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Report the BLAS kernels, threads, CPU features, encoder precision and installed models.")

    @OptionGroup var storeOptions: ModelCommand.StoreOptions

    @Option(name: .customLong("config"), help: "Configuration file whose precision to report (default $HERD_CONFIG, else $XDG_CONFIG_HOME/herd/config.toml).")
    var config: String?

    func run() throws {
        print(Self.blasReport())
        print(Self.precisionReport(config: config))
        let store = storeOptions.store
        let installed = store.list()
        print("model store:  \(store.root.path)")
        print("models:       \(installed.isEmpty ? "none (run `herd model fetch \(PublishedModel.defaultName)`)" : installed.map(\.name).joined(separator: ", "))")
    }

    /// Which precision ingest (`herd run`, `herd scan`) will use and why: the configuration's
    /// `precision` (default auto), overridden by `HERD_PRECISION`, resolved for this CPU.
    static func precisionReport(config: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let path = HerdPaths(environment: environment, config: config).config
        var requested = HerdConfiguration.defaultPrecision, source = "default; no configuration at \(path)"
        if FileManager.default.fileExists(atPath: path) {
            do {
                requested = try HerdConfiguration.load(from: path).precision
                source = "from \(path)"
            } catch {
                source = "default; the configuration does not load: \(error)"
            }
        }
        if let forced = environment["HERD_PRECISION"], !forced.isEmpty {
            requested = forced
            source = "from HERD_PRECISION"
        }
        guard let precision = Precision(rawValue: requested) else {
            return "precision:    invalid \"\(requested)\" (\(source)); use auto, bf16 or fp32"
        }
        return "precision:    ingest runs \(precision.explanation(cpuSupportsBF16: CPUSupport.bf16(environment: environment))); precision = \(requested) (\(source))"
    }

    /// The BLAS library's state in words, including whether herd restarted to pick its kernels.
    static func blasReport() -> String {
        let env = ProcessInfo.processInfo.environment
        let core = BLASInfo.coreName
        var lines = [
            "BLAS core:    \(core)\(BLASCore.replacement(forCore: core, vectorFeatures: BLASCore.vectorFeatures) != nil ? " (generic fallback kernels: set OPENBLAS_CORETYPE)" : "")",
            "BLAS threads: \(BLASInfo.threads) (herd runs single-threaded BLAS calls on its own threads)",
            "BLAS config:  \(BLASInfo.config)",
            "CPU vectors:  \(BLASCore.vectorFeatureNames), \(ProcessInfo.processInfo.activeProcessorCount) CPUs",
        ]
        if let forced = env["OPENBLAS_CORETYPE"] {
            lines.append("OPENBLAS_CORETYPE=\(forced)\(env[BLASRestart.marker] != nil ? " (set by herd's restart)" : "")")
        }
        return lines.joined(separator: "\n")
    }
}
