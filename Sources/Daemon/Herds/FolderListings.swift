import Foundation
import Glibc
import Synchronization

/// What herd last saw in each cluster folder it wrote, so that bringing 100,000 links in line costs a look at each
/// folder instead of a `readlink` of every link. A folder is listed again when its stamp moved: adding, removing or
/// renaming an entry sets the folder's modification time, so a link the user deleted or added is noticed. (The kernel
/// stamps with a clock of a few milliseconds; a change in the same tick as herd's own last write could go unseen until
/// the folder changes again or the daemon restarts. Herd's folders are rebuilt from the catalogue, so nothing is lost.)
/// Shared by the herds service's passes, which run one at a time.
public final class FolderListings: Sendable {
    private let listings = Mutex<[String: FolderListing]>([:])
    private let reads = Atomic<Int>(0)

    /// No folder seen yet.
    public init() {}

    /// How many times a folder was read from disk because no listing of it was kept or its stamp had moved.
    public var foldersRead: Int { reads.load(ordering: .relaxed) }

    func countRead() { reads.add(1, ordering: .relaxed) }

    /// The listing kept for `folder`, taken out: a writer that fails half-way leaves nothing stale behind.
    func take(_ folder: String) -> FolderListing? { listings.withLock { $0.removeValue(forKey: folder) } }

    func keep(_ listing: FolderListing) { listings.withLock { $0[listing.folder] = listing } }

    func forget(_ folder: String) { _ = take(folder) }
}

/// A folder's identity and the times its entries last changed.
struct FolderStamp: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64
    var modified: timespec
    var changed: timespec

    init(of folder: String) throws {
        let info = try Syscall.lstat(folder)
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        modified = info.st_mtim
        changed = info.st_ctim
    }

    static func == (a: FolderStamp, b: FolderStamp) -> Bool {
        a.device == b.device && a.inode == b.inode && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
            && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
    }
}

/// The entries of one cluster folder: its links by the photo they point to, and every name taken.
struct FolderListing: Sendable {
    var folder: String
    var stamp: FolderStamp
    /// Photo path → link name.
    var byTarget: [String: String] = [:]
    /// Every name in the folder (links, the contact sheet, anything the user put there).
    var taken: Set<String> = []
    /// Links removed while listing (second links to one photo).
    var removed = 0

    init(folder: String, stamp: FolderStamp) {
        self.folder = folder
        self.stamp = stamp
    }

    /// Removes the link to `target`.
    mutating func removeLink(to target: String) throws {
        guard let name = byTarget[target] else { return }
        try Syscall.unlink(folder + "/" + name)
        byTarget[target] = nil
        taken.remove(name)
    }

    /// Adds a link to `photo` under its file name, or `name (2).ext`… when that is taken.
    mutating func addLink(to photo: String, rootDevice: dev_t) throws {
        let name = FolderWriter.uniqueName(for: (photo as NSString).lastPathComponent, taken: taken)
        try FolderWriter.placeLink(to: photo, named: name, in: folder, rootDevice: rootDevice)
        taken.insert(name)
        byTarget[photo] = name
    }
}
