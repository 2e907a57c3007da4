import Foundation
import Tensor

extension ModelStore {
    /// What `install` did.
    public struct Installation: Sendable {
        /// The architecture of the installed weights.
        public var config: ViTConfig
        /// Where they came from.
        public var source: ModelSource
        /// SHA-256 of the installed `model.safetensors`: the model id's digest, equal for the same weights
        /// from any of their forms.
        public var digest: String
    }

    /// Converts the weights in `file` (model.safetensors, pytorch_model.bin, an original DINO / DINOv2 .pth,
    /// a training checkpoint) to the store's form and installs them, with `config` (a config.json's bytes),
    /// as model `name`, replacing any model of that name atomically. `source` describes a download (its
    /// SHA-256 already checked); else the file is recorded as imported. `removeFile` deletes `file` once
    /// installed (a finished download). Nothing is left in the store when anything fails.
    @discardableResult
    public func install(file: URL, config: Data?, name: String, source: ModelSource? = nil, removeFile: Bool = false) throws -> Installation {
        guard !name.isEmpty, !name.hasPrefix("."), !name.contains("/") else {
            throw EncoderError(name, "a model name must be non-empty, not start with '.', and contain no '/'")
        }
        let checkpoint = try CheckpointFile(path: file.path)
        let mapping = try WeightLayout.map(checkpoint.tensors, path: file.path)
        var record: ModelSource
        if let source {
            record = source
        } else {
            record = ModelSource(file: file.standardizedFileURL.path, sha256: try FileDigest.sha256Hex(ofFileAt: file.path))
        }
        record.format = checkpoint.format.rawValue
        record.layout = mapping.layout.rawValue
        record.prefix = mapping.prefix

        try make(root)
        let staging = root.appendingPathComponent(".staging-\(name)-\(UUID().uuidString)")
        try make(staging)
        defer { try? FileManager.default.removeItem(at: staging) }
        let weights = staging.appendingPathComponent("model.safetensors").path
        let digest = try StoreWeightsWriter.write(mapping, to: weights)
        let vitConfig: ViTConfig
        do {
            vitConfig = try ViTConfig.infer(from: try SafeTensorsFile(path: weights), configJSON: config)
        } catch let e as TensorFileError {
            throw EncoderError(e.path, e.message)
        }
        var written = [weights]
        do {
            if let config {
                try config.write(to: staging.appendingPathComponent("config.json"))
                written.append(staging.appendingPathComponent("config.json").path)
            }
            try record.encoded().write(to: staging.appendingPathComponent("source.json"))
            written.append(staging.appendingPathComponent("source.json").path)
        } catch let error as EncoderError {
            throw error
        } catch {
            throw EncoderError(staging.path, "cannot stage the model: \(error.localizedDescription); check free space and permissions")
        }
        for path in written { try FileSync.sync(path) }
        FileDigest.remember(digest, ofFileAt: weights, cache: weights + ".sha256")
        try FileSync.sync(staging.path)
        let target = folder(for: name)
        do {
            if FileManager.default.fileExists(atPath: target.path) {
                // Swap the new folder in, then drop the old one (now at the staging name).
                try SystemCall.exchange(staging.path, with: target.path)
            } else {
                try SystemCall.rename(staging.path, to: target.path)
            }
        } catch let error as TensorFileError {
            throw EncoderError(target.path, "cannot install the model: \(error.message); check free space and permissions of \(root.path)")
        }
        try FileSync.sync(root.path)
        if removeFile { try? FileManager.default.removeItem(at: file) }
        return Installation(config: vitConfig, source: record, digest: digest)
    }

    /// The source record of installed model `name` (nil for models installed before herd kept one).
    public func source(of name: String) throws -> ModelSource? {
        try ModelSource.read(folder(for: name).appendingPathComponent("source.json").path)
    }

    func make(_ dir: URL) throws {
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw EncoderError(dir.path, "cannot create the folder: \(error.localizedDescription)")
        }
    }
}
