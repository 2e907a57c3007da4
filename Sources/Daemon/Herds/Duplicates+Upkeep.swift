import Catalog
import Foundation
import Imaging

extension Herds {
    /// Neighbours looked up per photo for near-duplicates (the photo itself is usually the first).
    static let duplicateNeighbours = 9
    /// Pairs farther apart than this cosine distance are not stored: no `duplicate_threshold` reaches them.
    static let storedPairDistance: Float = 0.5
    /// Photos read per call for their neighbour check; as many are checked as fit in `digestTime`.
    static let duplicateBatch = 512
    /// Photos given a signature and thumbnail per catalogue read: each is decoded, so fewer.
    static let digestBatch = 32
    /// How long one call makes signatures and thumbnails, and then how long it checks photos for near copies: a new
    /// photo's assignment and link (done between calls) waits for at most about twice this, and a large backlog is
    /// worked off in a few large steps, not many small ones.
    static let digestTime = Duration.milliseconds(500)
    /// Photos sharing a signature band read per photo, and the nearest of them by signature paired with it: many
    /// look-alike pictures (a burst, a scanned album's blank pages) cost linear work, and still form one group.
    static let bandCandidates = 256
    static let signatureMatchesPerPhoto = 16

    /// These herds with signatures and thumbnails kept in `digests`.
    public func with(digests: PhotoDigests) -> Herds {
        var copy = self
        copy.digests = digests
        return copy
    }

    /// Keeps the near-duplicate pairs current, from the neighbour index: forgets pairs of contents that are gone,
    /// makes the signatures and thumbnails ingest could not, and looks up the nearest neighbours of each photo not
    /// checked yet (a new photo finds its older near copies, so each pair is found from its newer side: no pass
    /// over all pairs). Returns the photos given a digest or checked: 0 once everything is current. `shouldStop` is
    /// asked between photos (a shutdown does not wait for the batch); what was checked is kept. `forgetOrphans` as
    /// for `assignNewPhotos`.
    @discardableResult
    public func updateDuplicates(forgetOrphans: Bool = true, shouldStop: () -> Bool = { false }) throws -> Int {
        guard let digests else { return 0 }
        if forgetOrphans { try catalog.removeOrphanDuplicateData() }
        let made = try backfillDigests(digests)
        // On from the last photo checked; at the end, once more from the start for photos that arrived behind it.
        var photos = try catalog.photosNeedingNeighbourCheck(modelID: modelID, afterKey: digests.checkPosition ?? 0, limit: Self.duplicateBatch)
        if photos.isEmpty && digests.checkPosition != nil {
            digests.checkPosition = nil
            photos = try catalog.photosNeedingNeighbourCheck(modelID: modelID, limit: Self.duplicateBatch)
        }
        guard !photos.isEmpty else { return made }
        var found: [(hash: Data, key: Int64, distance: Float)] = []
        var pairs: [NearPair] = []
        var checked: [Data] = []
        var reached = digests.checkPosition
        let own = try catalog.signatures(of: photos.map(\.contentHash))
        let started = ContinuousClock.now
        for photo in photos {
            // At least one photo per call, then as many as fit in the call's time.
            if shouldStop() || (!checked.isEmpty && ContinuousClock.now - started >= Self.digestTime) { break }
            reached = photo.key ?? reached
            guard let key = photo.key, index.contains(all: [key]) else { continue }
            for neighbour in try index.search(photo.vector, k: Self.duplicateNeighbours)
            where Int64(neighbour.id) != key && neighbour.distance <= Self.storedPairDistance {
                found.append((photo.contentHash, Int64(neighbour.id), neighbour.distance))
            }
            // Near-identical pictures the features put farther apart than the nearest neighbours: found by signature.
            if let signature = own[photo.contentHash] {
                let near = try catalog.signaturesSharingBands(PerceptualHash.bands(signature), limit: Self.bandCandidates)
                    .map { (hash: $0.key, distance: PerceptualHash.distance(signature, $0.value)) }
                    .filter { $0.hash != photo.contentHash && $0.distance <= PerceptualHash.bandReach }
                    .sorted { $0.distance != $1.distance ? $0.distance < $1.distance : $0.hash.lexicographicallyPrecedes($1.hash) }
                for (other, _) in near.prefix(Self.signatureMatchesPerPhoto) {
                    guard let vector = try catalog.features(forHash: other, modelID: modelID), vector.count == photo.vector.count else { continue }
                    pairs.append(NearPair(photo.contentHash, other, distance: Self.cosineDistance(photo.vector, vector)))
                }
            }
            checked.append(photo.contentHash)
        }
        let hashes = try catalog.contentHashes(forKeys: Array(Set(found.map(\.key))))
        pairs += found.compactMap { f in hashes[f.key].map { NearPair(f.hash, $0, distance: max(0, f.distance)) } }
        try catalog.recordNearPairs(pairs, checked: checked, modelID: modelID)
        // Moved on only once what was checked is recorded.
        digests.checkPosition = reached
        return made + checked.count
    }

    /// 1 − x·y for L2-normalised x, y (the index's cosine distance), at least 0.
    static func cosineDistance(_ x: [Float], _ y: [Float]) -> Float {
        var dot: Float = 0
        for i in 0..<min(x.count, y.count) { dot += x[i] * y[i] }
        return max(0, 1 - dot)
    }

    /// Signatures and thumbnails for embedded contents that have none (photos ingested before they existed, or by an
    /// extractor that does not decode), each photo decoded at reduced DCT scale. Returns how many were made.
    func backfillDigests(_ digests: PhotoDigests) throws -> Int {
        let decoder = ImageDecoder()
        let started = ContinuousClock.now
        var made = 0
        // Goes on where the last call stopped, in content order; at the end, once more from the start for contents
        // that arrived behind it.
        var startedOver = digests.backfillPosition == nil
        while ContinuousClock.now - started < Self.digestTime {
            let rows = try catalog.contentsLackingSignature(after: digests.backfillPosition, limit: Self.digestBatch)
            guard let last = rows.last else {
                if startedOver { break }
                digests.backfillPosition = nil
                startedOver = true
                continue
            }
            let batch = rows.filter { !digests.hasFailed($0.contentHash) }
            var signatures: [(contentHash: Data, signature: UInt64)] = []
            for (hash, path) in batch {
                do {
                    let digest = try PhotoDigest.make(fileAt: path, decoder: decoder)
                    try digests.saveThumbnail(digest, contentHash: hash, syncFolder: false)
                    signatures.append((hash, digest.signature))
                } catch {
                    if digests.markFailed(hash) {
                        logger.warning("no signature or thumbnail for a photo", metadata: ["path": "\(path)", "error": "\(error)"])
                    }
                }
            }
            digests.syncThumbnailFolder()
            try catalog.storeSignatures(signatures, bands: PerceptualHash.bands)
            digests.backfillPosition = last.contentHash
            made += signatures.count
        }
        return made
    }
}
