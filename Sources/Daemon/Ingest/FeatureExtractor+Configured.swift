import Encoder
import Foundation
import Tensor

/// The encoder precisions `precision` in config.toml and `--precision` name (Encoder's `Precision`), for the CLI.
public typealias EncoderPrecision = Precision

extension FeatureExtractor {
    /// The encoder plug for `configuration.model`: the installed ViT (from the model store under `paths.models`),
    /// with signatures and thumbnails kept in `paths.cache`; or the `byte-histogram-64` test seam, slowed by
    /// `testDelay`. Throws a `.model` error saying how to install a model that is missing. The ViT decodes and encodes
    /// on a pool of the configured `threads` (`herd.ingest.N`), which the daemon then runs all of ingest on.
    public static func configured(
        _ configuration: HerdConfiguration, paths: HerdPaths, cpuSupportsBF16: Bool, testDelay: Duration = .zero
    ) throws -> FeatureExtractor {
        if configuration.model == byteHistogramModelID { return .byteHistogram(delayPerImage: testDelay) }
        let store = ModelStore(root: URL(fileURLWithPath: paths.models))
        let weights: String, config: String?
        do {
            (weights, config) = try store.resolve(configuration.model)
        } catch {
            throw DaemonError(.model, path: paths.config,
                              "\(error) (install it with `herd model fetch \(configuration.model)` or `herd model import FILE`)")
        }
        let model = try VisionTransformer(contentsOf: weights, configPath: config,
                                          pool: ComputePool(threads: configuration.threads, name: "herd.ingest"),
                                          precision: configuration.encoderPrecision, cpuSupportsBF16: cpuSupportsBF16,
                                          cache: PrecisionChoiceCache(folder: store.root))
        // Features are cached per model id; the digest makes new weights under an old name re-embed.
        // The id leaves out the precision: bf16 features stay within cosine ≈ 0.999 of fp32's
        // (Docs/ENCODER.md), so switching precision does not re-embed the library.
        let digest = try store.digest(ofWeights: weights)
        let name = (configuration.model as NSString).lastPathComponent
        return .vit(model, modelID: "\(name)@\(digest.prefix(16))",
                    digests: PhotoDigests(cacheFolder: paths.cache))
    }
}

extension DaemonDependencies {
    /// The OpenBLAS kernel family this process runs, as the catalogue's runs record it.
    public static var runningBLASCore: String { BLASInfo.coreName }
}
