import ArgumentParser
import Encoder
import Foundation

/// Options shared by the commands that run an encoder.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "Installed model name, or a path to a .safetensors file (config.json beside it is used). Default: \(PublishedModel.defaultName).")
    var model: String = PublishedModel.defaultName

    @Option(name: .long, help: "Model store folder (default: $HERD_MODELS_DIR, else $XDG_DATA_HOME/herd/models).")
    var modelsDir: String?

    @Option(name: .long, help: "Threads for the forward pass (default: all CPUs).")
    var threads: Int?

    /// The model store these options point at.
    var store: ModelStore {
        ModelStore(root: modelsDir.map { URL(fileURLWithPath: $0) } ?? ModelStore.defaultRoot(environment: ProcessInfo.processInfo.environment))
    }

    /// Threads to use.
    var threadCount: Int { max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount) }

    /// Loads the chosen model.
    func load() throws -> VisionTransformer {
        let (weights, config) = try store.resolve(model)
        return try VisionTransformer(contentsOf: weights, configPath: config, threads: threadCount)
    }

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }
}
