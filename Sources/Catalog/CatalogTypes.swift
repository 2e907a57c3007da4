import Foundation

/// What `lstat` says about a file: enough to tell whether it changed or moved without reading it.
public struct FileStat: Sendable, Hashable, Codable {
    /// Absolute path.
    public var path: String
    /// `st_dev`.
    public var device: UInt64
    /// `st_ino`.
    public var inode: UInt64
    /// Size in bytes.
    public var size: Int64
    /// Modification time in nanoseconds since the epoch.
    public var mtimeNanoseconds: Int64

    /// A stat record.
    public init(path: String, device: UInt64, inode: UInt64, size: Int64, mtimeNanoseconds: Int64) {
        self.path = path
        self.device = device
        self.inode = inode
        self.size = size
        self.mtimeNanoseconds = mtimeNanoseconds
    }

    /// True when both describe the same, unchanged file content location (ignoring the path).
    public func sameFile(as other: FileStat) -> Bool {
        device == other.device && inode == other.inode && size == other.size && mtimeNanoseconds == other.mtimeNanoseconds
    }
}

/// Where a file stands in the ingest.
public enum FileState: String, Sendable, Codable {
    /// Waiting to be hashed, inspected and embedded.
    case pending
    /// Embedded (features exist for its content hash).
    case done
    /// Could not be read or embedded; `error` says why. Retried when the file changes.
    case failed
}

/// What the decoder reads from an image's header.
public struct ImageMetadata: Sendable, Hashable, Codable {
    /// `jpeg` or `png`.
    public var format: String
    /// Stored width in pixels.
    public var width: Int
    /// Stored height in pixels.
    public var height: Int
    /// EXIF orientation 1–8 (1 when absent).
    public var orientation: Int
    /// Capture time as `YYYY-MM-DDTHH:MM:SS` (camera local time), when known.
    public var takenAt: String?
    /// Camera make and model, when known.
    public var camera: String?

    /// Metadata of one image.
    public init(format: String, width: Int, height: Int, orientation: Int = 1, takenAt: String? = nil, camera: String? = nil) {
        self.format = format
        self.width = width
        self.height = height
        self.orientation = orientation
        self.takenAt = takenAt
        self.camera = camera
    }
}

/// One row of the files table.
public struct CatalogFile: Sendable, Hashable, Codable {
    /// Row id.
    public var id: Int64
    /// Path and stat at the last reconcile.
    public var stat: FileStat
    /// SHA-256 of the content, once hashed.
    public var contentHash: Data?
    /// Header metadata, once inspected.
    public var metadata: ImageMetadata?
    /// Ingest state.
    public var state: FileState
    /// Why it failed, when `state == .failed`.
    public var error: String?

    /// A files row.
    public init(id: Int64, stat: FileStat, contentHash: Data?, metadata: ImageMetadata?, state: FileState, error: String?) {
        self.id = id
        self.stat = stat
        self.contentHash = contentHash
        self.metadata = metadata
        self.state = state
        self.error = error
    }
}

/// What a reconcile needs to know of a catalogued file.
public struct CatalogEntry: Sendable, Hashable {
    /// Row id.
    public var id: Int64
    /// Path and stat at the last reconcile.
    public var stat: FileStat
    /// SHA-256 of the content, once hashed.
    public var contentHash: Data?

    /// An entry.
    public init(id: Int64, stat: FileStat, contentHash: Data?) {
        self.id = id
        self.stat = stat
        self.contentHash = contentHash
    }
}

/// The changes one reconcile applies, in one transaction.
public struct CatalogChanges: Sendable, Equatable {
    /// Files seen for the first time.
    public var added: [FileStat] = []
    /// Files whose stat changed in place: content must be read again.
    public var changed: [(id: Int64, stat: FileStat)] = []
    /// Files that moved (same device and inode, or same content): only the path and stat change.
    public var moved: [(id: Int64, stat: FileStat)] = []
    /// Rows whose file is gone.
    public var deleted: [Int64] = []

    /// No changes.
    public init() {}

    /// True when there is nothing to apply.
    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && moved.isEmpty && deleted.isEmpty }

    /// Compares element-wise (tuples are not Equatable).
    public static func == (a: CatalogChanges, b: CatalogChanges) -> Bool {
        a.added == b.added && a.deleted == b.deleted
            && a.changed.map(\.id) == b.changed.map(\.id) && a.changed.map(\.stat) == b.changed.map(\.stat)
            && a.moved.map(\.id) == b.moved.map(\.id) && a.moved.map(\.stat) == b.moved.map(\.stat)
    }
}
