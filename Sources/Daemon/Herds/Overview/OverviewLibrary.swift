import Foundation

/// What the overview pages show, gathered from the catalogue: a plain value, so the pages can be rendered (and
/// measured) without one.
public struct OverviewLibrary: Sendable, Equatable {
    /// One photo file: its path and the name of its thumbnail (nil: none cached).
    public struct Photo: Sendable, Equatable {
        public var path: String
        public var thumbnail: String?

        public init(path: String, thumbnail: String?) {
            self.path = path
            self.thumbnail = thumbnail
        }
    }

    /// One herd (cluster) and its folder.
    public struct Herd: Sendable, Equatable {
        public var id: Int
        public var label: String?
        /// Its folder's name under the output folder (`NN-label`).
        public var folder: String
        /// Members, most typical first.
        public var photos: [Photo]

        public init(id: Int, label: String?, folder: String, photos: [Photo]) {
            self.id = id
            self.label = label
            self.folder = folder
            self.photos = photos
        }
    }

    /// One duplicate group as the page lists it.
    public struct Group: Sendable, Equatable {
        /// Its folder under `_duplicates`.
        public var folder: String
        public var group: DuplicateGroup
        /// Thumbnail names by member path.
        public var thumbnails: [String: String]

        public init(folder: String, group: DuplicateGroup, thumbnails: [String: String]) {
            self.folder = folder
            self.group = group
            self.thumbnails = thumbnails
        }
    }

    public var herds: [Herd]
    public var duplicates: [Group]
    /// Catalogued files, embedded ones, and ones that could not be read.
    public var files: Int
    public var embedded: Int
    public var failed: Int
    /// When the pages were written (shown in the footer).
    public var written: Date

    public init(herds: [Herd], duplicates: [Group], files: Int, embedded: Int, failed: Int, written: Date) {
        self.herds = herds
        self.duplicates = duplicates
        self.files = files
        self.embedded = embedded
        self.failed = failed
        self.written = written
    }
}
