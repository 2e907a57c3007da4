import ArgumentParser
import Encoder
import Foundation

extension Precision: ExpressibleByArgument {}

/// Options shared by the commands that run an encoder.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "Installed model name, or a path to a .safetensors file (config.json beside it is used). Default: \(PublishedModel.defaultName).")
    var model: String = PublishedModel.defaultName

    @Option(name: .long, help: "Model store folder (default: $HERD_MODELS_DIR, else $XDG_DATA_HOME/herd/models).")
    var modelsDir: String?

    @Option(name: .long, help: "Threads for the forward pass (default: all CPUs).")
    var threads: Int?

    @Option(name: .long, help: "Weight products in fp32, bf16 (herd's kernel, needs AVX512_BF16), bf16-onednn (oneDNN: AMX where present) or auto (the fastest of those this CPU runs, measured at load, as ingest).")
    var precision: Precision = .auto

    /// The model store these options point at.
    var store: ModelStore {
        ModelStore(root: modelsDir.map { URL(fileURLWithPath: $0) } ?? ModelStore.defaultRoot(environment: ProcessInfo.processInfo.environment))
    }

    /// Threads to use.
    var threadCount: Int { max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount) }

    /// Loads the chosen model in `precision` (default: the `--precision` option).
    func load(precision: Precision? = nil) throws -> VisionTransformer {
        let (weights, config) = try store.resolve(model)
        return try VisionTransformer(contentsOf: weights, configPath: config, threads: threadCount,
                                     precision: precision ?? self.precision, cpuSupportsBF16: CPUSupport.bf16(),
                                     cache: PrecisionChoiceCache(folder: store.root))
    }

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }
}
