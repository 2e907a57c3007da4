import Catalog
import Foundation
import Tensor

/// The encoder's plug: turns a batch of image files into feature vectors, one result per path, in order.
/// `extract` is called on one of the ingest pool's threads, never on the cooperative pool.
public struct FeatureExtractor: Sendable {
    /// Identifies the model; features are stored and reused per (content hash, model id).
    public var modelID: String
    /// Feature vectors (or the reason each file failed) for the files at these paths.
    public var extract: @Sendable ([String]) -> [Result<[Float], any Error>]
    /// Where an extractor that decodes photos leaves their signatures and thumbnails (nil: it does not).
    public var digests: PhotoDigests?

    /// An extractor from its parts.
    public init(modelID: String, extract: @escaping @Sendable ([String]) -> [Result<[Float], any Error>]) {
        self.modelID = modelID
        self.extract = extract
    }

    /// An extractor built from a per-file `decode` (run in parallel on `pool`) and a batched `encode` of the decoded
    /// inputs: the shape Imaging + Encoder plug in with.
    public static func decodeThenEncode<Input>(
        modelID: String, pool: ComputePool,
        decode: @escaping @Sendable (String) throws -> Input,
        encode: @escaping @Sendable ([Input]) throws -> [[Float]]
    ) -> FeatureExtractor {
        FeatureExtractor(modelID: modelID) { paths in
            let decoded = ParallelResults<Input>(count: paths.count)
            pool.forEach(paths.count) { index, _ in decoded.set(index, Result { try decode(paths[index]) }) }
            let results = decoded.values
            let inputs = results.compactMap { try? $0.get() }
            let vectors: [[Float]]
            do {
                vectors = try encode(inputs)
            } catch {
                return paths.map { _ in .failure(error) }
            }
            var next = 0
            return results.map { result in
                result.flatMap { _ in
                    defer { next += 1 }
                    return next < vectors.count ? .success(vectors[next]) : .failure(ExtractorError.missingOutput)
                }
            }
        }
    }
}

/// Why the extractor gave no vector.
enum ExtractorError: Error, CustomStringConvertible {
    case missingOutput

    var description: String { "the encoder returned fewer vectors than images" }
}

/// Results written by index from several threads.
final class ParallelResults<T>: @unchecked Sendable {
    // @unchecked: each slot is written by exactly one thread, and read only after the parallel loop returns.
    // A raw buffer, not an Array, so concurrent writes to distinct slots share no copy-on-write bookkeeping.
    private let slots: UnsafeMutableBufferPointer<Result<T, any Error>?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func set(_ index: Int, _ value: Result<T, any Error>) { slots[index] = value }

    var values: [Result<T, any Error>] { slots.map { $0 ?? .failure(ExtractorError.missingOutput) } }
}
