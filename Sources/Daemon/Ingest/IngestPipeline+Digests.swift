import Catalog
import Foundation
import Imaging

extension IngestPipeline {
    /// Saves the thumbnails and signatures the extractor made while decoding the batch's new contents (`encoded`:
    /// content hash → the path that was decoded). A missing digest is made later by the cluster service.
    func storeDigests(_ encoded: [Data: String], succeeded: Set<Data>) throws {
        guard let digests = extractor.digests else { return }
        var signatures: [(contentHash: Data, signature: UInt64)] = []
        for (hash, path) in encoded {
            guard let digest = digests.take(path), succeeded.contains(hash) else { continue }
            do {
                try digests.saveThumbnail(digest, contentHash: hash, syncFolder: false)
            } catch {
                logger.warning("cannot cache a thumbnail", metadata: ["path": "\(path)", "error": "\(error)"])
            }
            signatures.append((hash, digest.signature))
        }
        if !signatures.isEmpty { digests.syncThumbnailFolder() }
        try catalog.storeSignatures(signatures, bands: PerceptualHash.bands)
    }
}
