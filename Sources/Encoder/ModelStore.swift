import Foundation
import Tensor

/// Installed models: one folder per model under the store root holding `model.safetensors` (the store's
/// form: hub names, float32, see `StoreWeightsWriter`), `source.json` (where it came from) and, when known,
/// the hub's `config.json`. Installs are atomic: a model is staged in a temporary folder, fsynced, and
/// renamed into place.
public struct ModelStore: Sendable {
    /// The folder holding one sub-folder per model.
    public let root: URL

    /// A store at `root` (created on first install).
    public init(root: URL) {
        self.root = root
    }

    /// `$HERD_MODELS_DIR`, else `$XDG_DATA_HOME/herd/models`, else `~/.local/share/herd/models`.
    public static func defaultRoot(environment: [String: String]) -> URL {
        if let dir = environment["HERD_MODELS_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty {
            return URL(fileURLWithPath: data).appendingPathComponent("herd/models")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".local/share/herd/models")
    }

    /// A model as installed in the store.
    public struct Installed: Sendable {
        /// Folder name.
        public var name: String
        /// Path of model.safetensors.
        public var weightsPath: String
        /// Path of config.json, when present.
        public var configPath: String?
        /// Size of the weights file in bytes.
        public var bytes: Int64
    }

    /// The SHA-256 (hex) of `weights`, remembered beside it in `model.safetensors.sha256` when the file is in this
    /// store (so starting herd does not hash ~100 MB each time); files elsewhere are hashed every time.
    public func digest(ofWeights weights: String) throws -> String {
        let inStore = URL(fileURLWithPath: weights).standardizedFileURL.deletingLastPathComponent().deletingLastPathComponent().path
            == root.standardizedFileURL.path
        guard inStore else { return try FileDigest.sha256Hex(ofFileAt: weights) }
        return try FileDigest.sha256Hex(ofFileAt: weights, cache: weights + ".sha256")
    }

    /// Where a model named `name` lives (whether or not it is installed).
    public func folder(for name: String) -> URL { root.appendingPathComponent(name) }

    /// Installed models, sorted by name; folders without weights (e.g. staging) are skipped.
    public func list() -> [Installed] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().compactMap { installed($0) }
    }

    /// The installed model `name`, if any.
    public func installed(_ name: String) -> Installed? {
        let dir = folder(for: name)
        let weights = dir.appendingPathComponent("model.safetensors").path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: weights) else { return nil }
        let config = dir.appendingPathComponent("config.json").path
        return Installed(name: name, weightsPath: weights,
                         configPath: FileManager.default.fileExists(atPath: config) ? config : nil,
                         bytes: (attributes[.size] as? NSNumber)?.int64Value ?? 0)
    }

    /// The weights and config for `nameOrPath`: an installed model's name, or a path to a
    /// .safetensors file (with config.json beside it, if any).
    public func resolve(_ nameOrPath: String) throws -> (weights: String, config: String?) {
        if [".bin", ".pth", ".pt"].contains(where: nameOrPath.hasSuffix) {
            throw EncoderError(nameOrPath, "a PyTorch checkpoint: herd runs models in the store's safetensors form; convert and install it once with `herd model import \(nameOrPath) --name NAME`, then use --model NAME")
        }
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".safetensors") {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: nameOrPath, isDirectory: &isDirectory) else {
                throw EncoderError(nameOrPath, "no such model file")
            }
            let file = isDirectory.boolValue ? URL(fileURLWithPath: nameOrPath).appendingPathComponent("model.safetensors") : URL(fileURLWithPath: nameOrPath)
            let config = file.deletingLastPathComponent().appendingPathComponent("config.json").path
            return (file.path, FileManager.default.fileExists(atPath: config) ? config : nil)
        }
        guard let model = installed(nameOrPath) else {
            let hint = PublishedModel.named(nameOrPath) != nil
                ? "run `herd model fetch \(nameOrPath)`"
                : "known names: \(PublishedModel.all.map(\.name).joined(separator: ", ")); or `herd model import FILE --name \(nameOrPath)`"
            throw EncoderError(nameOrPath, "model is not installed in \(root.path); \(hint)")
        }
        return (model.weightsPath, model.configPath)
    }
}

/// fsync(2) of a file or folder by path (Tensor's `SystemCall`), as an `EncoderError`.
enum FileSync {
    static func sync(_ path: String) throws {
        do { try SystemCall.sync(path) } catch let error as TensorFileError { throw EncoderError(path, error.message) }
    }
}
