import Catalog
import Foundation
import Imaging

extension Herds {
    /// Neighbours looked up per photo for near-duplicates (the photo itself is usually the first).
    static let duplicateNeighbours = 9
    /// Pairs farther apart than this cosine distance are not stored: no `duplicate_threshold` reaches them.
    static let storedPairDistance: Float = 0.5
    /// Photos checked (or given a digest) per call, so that one call stays short.
    static let duplicateBatch = 512

    /// These herds with signatures and thumbnails kept in `digests`.
    public func with(digests: PhotoDigests) -> Herds {
        var copy = self
        copy.digests = digests
        return copy
    }

    /// Keeps the near-duplicate pairs current, from the neighbour index: forgets pairs of contents that are gone,
    /// makes the signatures and thumbnails ingest could not, and looks up the nearest neighbours of each photo not
    /// checked yet (a new photo finds its older near copies, so each pair is found from its newer side: no pass
    /// over all pairs). Returns the photos checked.
    @discardableResult
    public func updateDuplicates() throws -> Int {
        guard let digests else { return 0 }
        try catalog.removeOrphanDuplicateData()
        try backfillDigests(digests)
        let photos = try catalog.photosNeedingNeighbourCheck(modelID: modelID, limit: Self.duplicateBatch)
        guard !photos.isEmpty else { return 0 }
        var found: [(hash: Data, key: Int64, distance: Float)] = []
        var checked: [Data] = []
        for photo in photos {
            guard let key = photo.key, index.contains(all: [key]) else { continue }
            for neighbour in try index.search(photo.vector, k: Self.duplicateNeighbours)
            where Int64(neighbour.id) != key && neighbour.distance <= Self.storedPairDistance {
                found.append((photo.contentHash, Int64(neighbour.id), neighbour.distance))
            }
            checked.append(photo.contentHash)
        }
        let hashes = try catalog.contentHashes(forKeys: Array(Set(found.map(\.key))))
        let pairs = found.compactMap { f in hashes[f.key].map { NearPair(f.hash, $0, distance: max(0, f.distance)) } }
        try catalog.recordNearPairs(pairs, checked: checked, modelID: modelID)
        return checked.count
    }

    /// Signatures and thumbnails for embedded contents that have none (photos ingested before they existed, or by an
    /// extractor that does not decode), each photo decoded at reduced DCT scale.
    func backfillDigests(_ digests: PhotoDigests) throws {
        let decoder = ImageDecoder()
        var signatures: [(contentHash: Data, signature: UInt64)] = []
        for (hash, path) in try catalog.contentsLackingSignature(limit: Self.duplicateBatch) where !digests.hasFailed(hash) {
            do {
                let digest = try PhotoDigest.make(fileAt: path, decoder: decoder)
                try digests.saveThumbnail(digest, contentHash: hash)
                signatures.append((hash, digest.signature))
            } catch {
                if digests.markFailed(hash) {
                    logger.warning("no signature or thumbnail for a photo", metadata: ["path": "\(path)", "error": "\(error)"])
                }
            }
        }
        try catalog.storeSignatures(signatures)
    }
}
