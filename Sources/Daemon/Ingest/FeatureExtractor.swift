import Catalog
import Foundation
import Tensor

/// The encoder's plug: turns a batch of photos into feature vectors, one result per photo, in order.
/// `extract` is called on one of the ingest pool's threads, never on the cooperative pool.
public struct FeatureExtractor: Sendable {
    /// Identifies the model; features are stored and reused per (content hash, model id).
    public var modelID: String
    /// Feature vectors (or the reason each failed) for these photos.
    public var extract: @Sendable ([PhotoSource]) -> [Result<[Float], any Error>]
    /// Where an extractor that decodes photos leaves their signatures and thumbnails (nil: it does not).
    public var digests: PhotoDigests?
    /// The pool the extractor runs its parallel loops on (nil: it has none). The daemon runs all of ingest (hashing,
    /// reading, decoding, the encoder) on this pool, so one pool of the configured `threads` does ingest's work.
    public var pool: ComputePool?

    /// An extractor from its parts.
    public init(modelID: String, extract: @escaping @Sendable ([PhotoSource]) -> [Result<[Float], any Error>]) {
        self.modelID = modelID
        self.extract = extract
    }

    /// An extractor built from a per-file `decode` (run in parallel on `pool`) and a batched `encode` of the decoded
    /// inputs: the shape Imaging + Encoder plug in with.
    public static func decodeThenEncode<Input>(
        modelID: String, pool: ComputePool,
        decode: @escaping @Sendable (PhotoSource) throws -> Input,
        encode: @escaping @Sendable ([Input]) throws -> [[Float]]
    ) -> FeatureExtractor {
        FeatureExtractor(modelID: modelID) { photos in
            let decoded = ParallelResults<Input>(count: photos.count)
            pool.forEach(photos.count) { index, _ in decoded.set(index, Result { try decode(photos[index]) }) }
            let results = decoded.values
            let inputs = results.compactMap { try? $0.get() }
            let vectors: [[Float]]
            do {
                vectors = try encode(inputs)
            } catch {
                return photos.map { _ in .failure(error) }
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
