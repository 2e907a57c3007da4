import Foundation
import Imaging
import Synchronization
import Tensor

/// What herd keeps from a decoded photo besides its features: a perceptual signature (for near-duplicates) and a
/// small square JPEG thumbnail (for the overview pages).
public struct PhotoDigest: Sendable, Equatable {
    /// `PerceptualHash` of the upright image.
    public var signature: UInt64
    /// JPEG bytes, `thumbnailSide` square.
    public var thumbnail: Data

    /// Side of the thumbnails, in pixels (shown at half that on a high-density screen).
    public static let thumbnailSide = 160
    /// Shortest side a photo is decoded at when no decoded image is at hand: enough for the thumbnail.
    static let decodeShortSide = 160

    /// The digest of decoded, upright pixels.
    public static func make(from image: RGBImage) throws -> PhotoDigest {
        PhotoDigest(
            signature: PerceptualHash.signature(of: image),
            thumbnail: try JPEGEncoder.encode(Thumbnail.square(image, side: thumbnailSide), quality: 75))
    }

    /// The digest of the library photo at `path` (by its exact name), decoded at reduced DCT scale.
    public static func make(fileAt path: String, decoder: ImageDecoder = ImageDecoder()) throws -> PhotoDigest {
        try make(from: RawPath.decode(path, with: decoder, minimumShortSide: decodeShortSide).image)
    }
}

/// Digests made while the encoder's plug decodes photos, held by path until ingest knows their content hash; and
/// the thumbnail cache (`$XDG_CACHE_HOME/herd/thumbs/<sha256>.jpg`). Shared by the ingest workers and the cluster
/// service.
public final class PhotoDigests: Sendable {
    /// The thumbnail cache folder.
    public let thumbnailFolder: String
    private let pending = Mutex<[String: PhotoDigest]>([:])
    /// Contents whose photo could not be decoded for a digest: not tried again by this process.
    private let failed = Mutex<Set<Data>>([])
    /// Where the duplicate upkeep left off (nil: the start), so its next call goes on from there instead of passing
    /// over every photo done before: the last content the backfill of missing digests reached, the last photo whose
    /// neighbours were looked up.
    private let backfilled = Mutex<Data?>(nil)
    private let checked = Mutex<Int64?>(nil)

    /// Digests whose thumbnails go to `thumbnailFolder`.
    public init(thumbnailFolder: String) {
        self.thumbnailFolder = thumbnailFolder
    }

    /// The cache folder's thumbnail folder.
    public convenience init(cacheFolder: String) {
        self.init(thumbnailFolder: cacheFolder + "/thumbs")
    }

    /// Makes and holds the digest of the photo at `path` from its decoded pixels (called on a decoding thread). A
    /// failure only means no digest now; the cluster service makes one later.
    public func record(_ path: String, image: RGBImage) {
        guard let digest = try? PhotoDigest.make(from: image) else { return }
        pending.withLock { $0[path] = digest }
    }

    /// The digest held for `path`, once.
    public func take(_ path: String) -> PhotoDigest? {
        pending.withLock { $0.removeValue(forKey: path) }
    }

    /// Forgets digests held for these paths (their files failed).
    public func discard(_ paths: [String]) {
        pending.withLock { held in for path in paths { held[path] = nil } }
    }

    /// Where the thumbnail of a content lives.
    public func thumbnailPath(contentHash: Data) -> String {
        thumbnailFolder + "/" + Self.hex(contentHash) + ".jpg"
    }

    /// Writes a content's thumbnail (temporary file, fsync, rename) unless it is there already; `syncFolder` false
    /// leaves the folder's fsync to `syncThumbnailFolder`, once after many.
    public func saveThumbnail(_ digest: PhotoDigest, contentHash: Data, syncFolder: Bool = true) throws {
        let path = thumbnailPath(contentHash: contentHash)
        if FileManager.default.fileExists(atPath: path) { return }
        try FileManager.default.createDirectory(atPath: thumbnailFolder, withIntermediateDirectories: true)
        try Syscall.writeAtomically(digest.thumbnail, to: path, syncFolder: syncFolder)
    }

    /// Makes the thumbnails saved with `syncFolder: false` durable (an fsync of their folder).
    func syncThumbnailFolder() {
        try? SystemCall.sync(thumbnailFolder)
    }

    /// Marks a content as not decodable for a digest; false when it was marked already.
    func markFailed(_ contentHash: Data) -> Bool { failed.withLock { $0.insert(contentHash).inserted } }

    /// Where the backfill of missing digests goes on from (nil: the start).
    var backfillPosition: Data? {
        get { backfilled.withLock { $0 } }
        set { backfilled.withLock { $0 = newValue } }
    }

    /// Where the neighbour checks go on from (nil: the start).
    var checkPosition: Int64? {
        get { checked.withLock { $0 } }
        set { checked.withLock { $0 = newValue } }
    }

    /// How many contents were marked as not decodable.
    var failedCount: Int { failed.withLock { $0.count } }

    /// Whether a content was marked as not decodable.
    func hasFailed(_ contentHash: Data) -> Bool { failed.withLock { $0.contains(contentHash) } }

    /// Lower-case hex of the bytes.
    public static func hex(_ data: Data) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(data.count * 2)
        for byte in data {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
