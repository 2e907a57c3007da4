import Encoder
import Foundation
import Imaging
import Tensor

extension FeatureExtractor {
    /// The product's extractor: each file decoded at reduced DCT scale and preprocessed with DINO's
    /// evaluation transform on the model's pool, then one batched forward pass of `model` (on that pool too).
    /// Features are the CLS token after the final LayerNorm, L2-normalised (the x̃ of the method).
    /// `modelID` should name the weights exactly (e.g. name@digest): features are reused per model id.
    /// With `digests`, each decoded image also gives its perceptual signature and thumbnail there.
    public static func vit(_ model: VisionTransformer, modelID: String,
                           preprocessor: Preprocessor = Preprocessor(), digests: PhotoDigests? = nil) -> FeatureExtractor {
        let encoder = SerialEncoder(model)
        var extractor = FeatureExtractor.decodeThenEncode(
            modelID: modelID, pool: model.pool,
            decode: { photo in
                let decoded = try photo.decode(with: preprocessor.decoder, minimumShortSide: preprocessor.minimumDecodeShortSide)
                digests?.record(photo.path, image: decoded.image)
                return preprocessor.prepare(decoded)
            },
            encode: { inputs in
                guard let first = inputs.first else { return [] }
                let side = first.size
                var pixels: [Float] = []
                pixels.reserveCapacity(inputs.count * 3 * side * side)
                for input in inputs { pixels += input.planes }
                let features = try encoder.features(Tensor(shape: [inputs.count, 3, side, side], data: pixels))
                return (0..<features.rows).map { features.row($0) }
            })
        extractor.digests = digests
        extractor.pool = model.pool
        return extractor
    }
}

/// One forward pass at a time through a `VisionTransformer`, which reuses its activation buffers.
/// `@unchecked Sendable`: every use of `model` happens under `lock`.
final class SerialEncoder: @unchecked Sendable {
    private let model: VisionTransformer
    private let lock = NSLock()

    init(_ model: VisionTransformer) { self.model = model }

    /// pixels [N, 3, H, W] → L2-normalised CLS features [N, hidden].
    func features(_ pixels: Tensor) throws -> Tensor {
        lock.lock()
        defer { lock.unlock() }
        return try model.features(pixels, normalize: true)
    }
}
