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
    /// `st_mode` (type and permission bits); 0 when not known.
    public var mode: UInt32
    /// Status-change time (`st_ctim`) in nanoseconds: moves with chmod, chown and link changes; 0 when not known.
    public var ctimeNanoseconds: Int64

    /// A stat record.
    public init(path: String, device: UInt64, inode: UInt64, size: Int64, mtimeNanoseconds: Int64, mode: UInt32 = 0, ctimeNanoseconds: Int64 = 0) {
        self.path = path
        self.device = device
        self.inode = inode
        self.size = size
        self.mtimeNanoseconds = mtimeNanoseconds
        self.mode = mode
        self.ctimeNanoseconds = ctimeNanoseconds
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
    /// Could not be read or embedded; `error` says why and `failure` of what kind. Retried when the file or its
    /// metadata (mode, ctime) changes, and kinds that `FailureKind.retriedAtRescan` at every full scan.
    case failed
}

/// Why a file failed, as a stored category: it decides when the file is tried again, without reading the message.
public enum FailureKind: String, Sendable, Codable, CaseIterable {
    /// The file could not be opened or read (permissions, I/O error): retried at every rescan.
    case unreadable
    /// A format herd does not decode (yet): retried at every rescan, so a herd that learns it picks the file up.
    case unsupported
    /// The data is damaged or truncated.
    case corrupt
    /// Over a size or memory limit.
    case tooLarge = "too-large"
    /// The encoder failed on it.
    case encoder

    /// Kinds a full rescan tries again with no change to the file.
    public var retriedAtRescan: Bool { self == .unreadable || self == .unsupported }
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
    /// The kind of failure, when `state == .failed`.
    public var failure: FailureKind?

    /// A files row.
    public init(
        id: Int64, stat: FileStat, contentHash: Data?, metadata: ImageMetadata?, state: FileState, error: String?, failure: FailureKind? = nil
    ) {
        self.id = id
        self.stat = stat
        self.contentHash = contentHash
        self.metadata = metadata
        self.state = state
        self.error = error
        self.failure = failure
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
    /// Ingest state: a failed file whose mode or ctime changed is tried again.
    public var state: FileState

    /// An entry.
    public init(id: Int64, stat: FileStat, contentHash: Data?, state: FileState = .done) {
        self.id = id
        self.stat = stat
        self.contentHash = contentHash
        self.state = state
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
