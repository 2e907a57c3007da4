import ArgumentParser
import Encoder
import Foundation
import Tensor

/// `herd doctor`: what herd runs on (BLAS kernels, threads, CPU features, model store).
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Report the BLAS kernels, threads, CPU features and installed models.")

    @OptionGroup var storeOptions: ModelCommand.StoreOptions

    func run() throws {
        print(Self.blasReport())
        let store = storeOptions.store
        let installed = store.list()
        print("model store:  \(store.root.path)")
        print("models:       \(installed.isEmpty ? "none (run `herd model fetch \(PublishedModel.defaultName)`)" : installed.map(\.name).joined(separator: ", "))")
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
