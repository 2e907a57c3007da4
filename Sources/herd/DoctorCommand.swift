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

    @Flag(name: .long, help: "Run auto's measurement now (each path timed on the real shapes of --model, or of random dino-vits16 weights when it is not installed), print what it chose, and remember it for ingest.")
    var measure = false

    @Option(name: .long, help: "Model whose shapes --measure times (default: \(PublishedModel.defaultName)).")
    var model: String = PublishedModel.defaultName

    @Option(name: .long, help: "Threads the encoder runs with (for --measure; default 2, as ingest).")
    var threads = 2

    func run() throws {
        print(Self.blasReport())
        print(Self.oneDNNReport())
        print(Self.precisionReport(config: config))
        if measure { print(try measurement()) }
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

    /// oneDNN's version and instruction set, AMX, and whether this process may run JIT code.
    static func oneDNNReport() -> String {
        let amx: String
        switch OneDNN.amx {
        case .absent: amx = "not on this CPU"
        case .granted: amx = "present; the kernel granted this process its tile state (ARCH_REQ_XCOMP_PERM)"
        case .refused: amx = "present, but the kernel refused its tile state (ARCH_REQ_XCOMP_PERM; Linux ≥ 5.16 needed): oneDNN uses AVX-512"
        case .disabledByOS: amx = "present, but the OS does not enable its tile state (XCR0): oneDNN uses AVX-512"
        }
        let denied = OneDNN.writeExecuteDenied
        return [
            "oneDNN:       \(OneDNN.version), dispatching on \(OneDNN.isa)",
            "AMX:          \(amx)",
            "JIT code:     " + (denied == true
                ? "forbidden in this process (MemoryDenyWriteExecute / PR_SET_MDWE): bf16-onednn cannot run, auto leaves it out"
                : denied == false ? "allowed (oneDNN generates its kernels at run time)" : "allowed unless a seccomp filter forbids it (the kernel cannot tell)"),
        ].joined(separator: "\n")
    }

    /// auto's measurement on the configured model (or random weights of its architecture).
    func measurement() throws -> String {
        let store = storeOptions.store
        let vit: VisionTransformer
        var source: String
        if let (weights, configPath) = try? store.resolve(model) {
            vit = try VisionTransformer(contentsOf: weights, configPath: configPath, threads: threads, precision: .auto,
                                        cpuSupportsBF16: CPUSupport.bf16())
            source = "model \(model)"
        } else {
            let published = PublishedModel.named(model) ?? PublishedModel.named(PublishedModel.defaultName)
            guard let published else { throw ValidationError("unknown model '\(model)'") }
            vit = try VisionTransformer(weights: ViTWeights(random: ViTConfig(published: published)), threads: threads,
                                        precision: .auto, cpuSupportsBF16: CPUSupport.bf16())
            source = "random weights of \(published.name) (not installed)"
        }
        // A fresh measurement replaces what ingest remembered for this CPU and architecture.
        if let selection = vit.selection { PrecisionChoiceCache(folder: store.root).store(selection, config: vit.config) }
        let report = vit.selection?.report ?? "auto chose \(vit.precision)"
        return "measured:     \(source), \(vit.kernelName)\n" + report
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
