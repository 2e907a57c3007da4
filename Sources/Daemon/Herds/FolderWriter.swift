import Foundation
import Glibc

/// One cluster as the output tree shows it: a folder of symlinks to its photos and a contact sheet.
public struct ClusterFolderPlan: Sendable, Equatable {
    /// Stable cluster id; the folder name starts with it.
    public var clusterID: Int
    /// The user's label, if any.
    public var label: String?
    /// Absolute paths of the member photos.
    public var photos: [String]
    /// JPEG bytes of the contact sheet; nil leaves an existing sheet as it is.
    public var contactSheet: Data?

    public init(clusterID: Int, label: String?, photos: [String], contactSheet: Data? = nil) {
        self.clusterID = clusterID
        self.label = label
        self.photos = photos
        self.contactSheet = contactSheet
    }
}

/// What one `apply` changed on disk.
public struct FolderChanges: Sendable, Equatable {
    public var foldersCreated = 0
    public var foldersRenamed = 0
    public var foldersRemoved = 0
    public var linksAdded = 0
    public var linksRemoved = 0

    public init() {}
}

/// Keeps the output folder in step with the clusters: one `NN-name` folder per cluster holding
/// symlinks to its photos. Every link appears whole (created under a temporary name, then
/// renamed), renamed clusters are renamed folders, and nothing herd did not create is touched.
public struct FolderWriter: Sendable {
    /// The output folder.
    public let root: String
    /// What the cluster folders held when this writer (or an earlier one sharing it) last wrote them; nil: every
    /// folder is read from disk.
    public let listings: FolderListings?
    /// The file that marks a folder as herd's output.
    public static let markerName = ".herd-output"
    /// The contact sheet's file name inside each cluster folder.
    public static let sheetName = "_contact-sheet.jpg"
    static let markerText = "This folder is written by herd. Its cluster folders are rebuilt from the catalogue.\nversion 1\n"

    public init(root: String, listings: FolderListings? = nil) {
        self.root = root
        self.listings = listings
    }

    /// Makes sure `root` exists and is herd's: a missing or empty folder is marked; a folder with
    /// other content and no marker is refused.
    public func prepare() throws {
        if try Self.checkOutput(root) { return }
        if (try? Syscall.lstat(root)) == nil {
            do {
                try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            } catch {
                throw DaemonError(.library, path: root, "cannot create the output folder: \(error.localizedDescription)")
            }
        }
        try Syscall.writeAtomically(Data(Self.markerText.utf8), to: root + "/" + Self.markerName)
    }

    /// Whether `root` can be herd's output without touching anything else: true when it is already herd's (it holds
    /// the marker), false when it is missing or an empty folder (herd may take it); throws when it is not a folder or
    /// holds anything else, since herd would mix its folders into someone's files.
    @discardableResult
    public static func checkOutput(_ root: String) throws -> Bool {
        guard let info = try? Syscall.lstat(root) else { return false }
        guard info.isDirectory else {
            throw DaemonError(.library, path: root, "the output path exists and is not a folder; choose another --output")
        }
        if (try? Syscall.lstat(root + "/" + markerName)) != nil { return true }
        let entries: [String]
        do {
            entries = try Syscall.directoryEntries(root)
        } catch {
            throw DaemonError(.library, path: root, "cannot read the output folder: \(error); fix its permissions or choose another --output")
        }
        guard entries.isEmpty else {
            throw DaemonError(
                .library, path: root,
                "the output folder is not empty and was not made by herd (no \(markerName)); choose an empty or new folder")
        }
        return false
    }

    /// The folder name of a cluster: zero-padded id, a dash, and the label made safe for a file name.
    public static func folderName(clusterID: Int, label: String?) -> String {
        let number = clusterID < 10 ? "0\(clusterID)" : "\(clusterID)"
        var name = ""
        for scalar in (label ?? "").unicodeScalars {
            if scalar == "/" || scalar.properties.generalCategory == .control { name.append(" ") } else { name.unicodeScalars.append(scalar) }
        }
        name = name.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        while name.utf8.count > 80 { name.removeLast() }
        if name.isEmpty || name == "." || name == ".." { name = "unnamed" }
        return "\(number)-\(name)"
    }

    /// The cluster id a folder name starts with, if it is one of herd's.
    static func clusterID(ofFolder name: String) -> Int? {
        guard let dash = name.firstIndex(of: "-"), dash != name.startIndex else { return nil }
        return Int(name[..<dash])
    }

    /// Brings the tree in line with `plans`; clusters not in `plans` lose their folders.
    @discardableResult
    public func apply(_ plans: [ClusterFolderPlan]) throws -> FolderChanges {
        try prepare()
        var changes = FolderChanges()
        let existing = try clusterFolders()
        let rootDevice = try Syscall.lstat(root).st_dev
        let wanted = Set(plans.map(\.clusterID))
        // Remove folders of clusters that are gone first, so their names are free.
        for (id, name) in existing where !wanted.contains(id) {
            changes.linksRemoved += try removeFolder(root + "/" + name)
            changes.foldersRemoved += 1
        }
        for plan in plans {
            let name = Self.folderName(clusterID: plan.clusterID, label: plan.label)
            let folder = root + "/" + name
            if let old = existing[plan.clusterID], old != name {
                listings?.forget(root + "/" + old)
                try Syscall.rename(root + "/" + old, to: folder)
                changes.foldersRenamed += 1
            } else if existing[plan.clusterID] == nil {
                try Syscall.call("mkdir", path: folder) { Glibc.mkdir(folder, 0o755) }
                changes.foldersCreated += 1
            }
            var listing = try listing(of: folder)
            changes.linksRemoved += listing.removed
            let wanted = Set(plan.photos)
            for (target, _) in listing.byTarget where !wanted.contains(target) {
                try listing.removeLink(to: target)
                changes.linksRemoved += 1
            }
            changes.linksAdded += try finish(&listing, adding: plan.photos, sheet: plan.contactSheet, rootDevice: rootDevice)
        }
        return changes
    }

    /// Adds photos to their clusters' folders without looking at any other photo: each plan's `photos` are linked into
    /// its folder, and links to them in other cluster folders go (a rewritten photo may have changed cluster), as do
    /// links to `removing` (photos deleted or moved away) not in a plan. What a few newly ingested, moved or deleted
    /// photos need; with `listings`, it costs a look at each folder plus the links changed. Returns nil,
    /// having changed nothing, when a plan's cluster has a folder under another name (a label changed): `apply` then
    /// brings the whole tree in line.
    public func add(_ plans: [ClusterFolderPlan], removing: Set<String> = []) throws -> FolderChanges? {
        try prepare()
        var changes = FolderChanges()
        var existing = try clusterFolders()
        for plan in plans {
            if let name = existing[plan.clusterID], name != Self.folderName(clusterID: plan.clusterID, label: plan.label) { return nil }
        }
        let rootDevice = try Syscall.lstat(root).st_dev
        for plan in plans where existing[plan.clusterID] == nil {
            let name = Self.folderName(clusterID: plan.clusterID, label: plan.label)
            try Syscall.call("mkdir", path: root + "/" + name) { Glibc.mkdir(root + "/" + name, 0o755) }
            existing[plan.clusterID] = name
            changes.foldersCreated += 1
        }
        let byCluster = Dictionary(plans.map { ($0.clusterID, $0) }, uniquingKeysWith: { a, b in
            var merged = a
            merged.photos += b.photos
            merged.contactSheet = b.contactSheet ?? a.contactSheet
            return merged
        })
        let moving = Set(plans.flatMap(\.photos)).union(removing)
        for (id, name) in existing.sorted(by: { $0.key < $1.key }) {
            let folder = root + "/" + name
            let plan = byCluster[id]
            let here = Set(plan?.photos ?? [])
            var listing = try listing(of: folder)
            changes.linksRemoved += listing.removed
            var lost = false
            for target in moving where listing.byTarget[target] != nil && !here.contains(target) {
                try listing.removeLink(to: target)
                changes.linksRemoved += 1
                lost = true
            }
            // A cluster whose last photo left loses its folder, as `apply` would do.
            if lost && plan == nil && listing.byTarget.isEmpty {
                changes.linksRemoved += try removeFolder(folder)
                changes.foldersRemoved += 1
                continue
            }
            changes.linksAdded += try finish(&listing, adding: plan?.photos ?? [], sheet: plan?.contactSheet, rootDevice: rootDevice)
        }
        return changes
    }

    /// Links the photos of `adding` the folder lacks, writes its contact sheet when given, and keeps the listing stamped
    /// after every change herd made to the folder, the sheet included; returns the links added.
    private func finish(_ listing: inout FolderListing, adding photos: [String], sheet: Data?, rootDevice: dev_t) throws -> Int {
        var added = 0
        for photo in photos where listing.byTarget[photo] == nil {
            try listing.addLink(to: photo, rootDevice: rootDevice)
            added += 1
        }
        if let sheet {
            try Syscall.writeAtomically(sheet, to: listing.folder + "/" + Self.sheetName)
        }
        try keep(listing)
        return added
    }

    /// The cluster folders in the output, by cluster id.
    private func clusterFolders() throws -> [Int: String] {
        var existing: [Int: String] = [:]
        for name in try Syscall.directoryEntries(root) {
            guard let id = Self.clusterID(ofFolder: name), (try? Syscall.lstat(root + "/" + name))?.isDirectory == true else { continue }
            existing[id] = name
        }
        return existing
    }

    /// The entries of a cluster folder: as herd left them when the folder's stamp has not moved since, else read
    /// from disk, removing what an interrupted update left (`.herd-tmp-` links) and second links to one photo.
    private func listing(of folder: String) throws -> FolderListing {
        let stamp = try FolderStamp(of: folder)
        if let kept = listings?.take(folder), kept.stamp == stamp { return kept }
        listings?.countRead()
        var listing = FolderListing(folder: folder, stamp: stamp)
        for name in try Syscall.directoryEntries(folder) {
            let path = folder + "/" + name
            if name.hasPrefix(".herd-tmp-") {
                try Syscall.unlink(path)
                continue
            }
            let isLink = ((try? Syscall.lstat(path))?.st_mode ?? 0) & S_IFMT == S_IFLNK
            guard isLink, let destination = try? Syscall.readLink(path) else {
                listing.taken.insert(name)
                continue
            }
            let target = destination.hasPrefix("/") ? destination : HerdPaths.absolute(folder + "/" + destination)
            if listing.byTarget[target] == nil {
                listing.byTarget[target] = name
                listing.taken.insert(name)
            } else {
                try Syscall.unlink(path)
                listing.removed += 1
            }
        }
        return listing
    }

    /// Remembers a folder's entries after this writer's changes, with its stamp as they left it.
    private func keep(_ listing: FolderListing) throws {
        guard let listings else { return }
        var kept = listing
        kept.stamp = try FolderStamp(of: listing.folder)
        kept.removed = 0
        listings.keep(kept)
    }

    /// Removes herd's links and sheet from `folder`, then the folder if nothing else is in it.
    /// Returns the number of links removed.
    private func removeFolder(_ folder: String) throws -> Int {
        listings?.forget(folder)
        var removed = 0
        for name in try Syscall.directoryEntries(folder) {
            let path = folder + "/" + name
            let mode = (try Syscall.lstat(path)).st_mode & S_IFMT
            if mode == S_IFLNK || name == Self.sheetName {
                try Syscall.unlink(path)
                if mode == S_IFLNK { removed += 1 }
            }
        }
        // A folder the user put files into stays.
        _ = Glibc.rmdir(folder)
        return removed
    }

    /// `base`, or `stem (2).ext`, `stem (3).ext`, … whichever is free.
    static func uniqueName(for base: String, taken: Set<String>) -> String {
        var name = base.hasPrefix(".") ? "_" + base.dropFirst() : Substring(base)
        if name == Substring(FolderWriter.sheetName) { name = "photo-" + name }
        if !taken.contains(String(name)) { return String(name) }
        let ext = (String(name) as NSString).pathExtension
        let stem = (String(name) as NSString).deletingPathExtension
        var n = 2
        while true {
            let candidate = ext.isEmpty ? "\(stem) (\(n))" : "\(stem) (\(n)).\(ext)"
            if !taken.contains(candidate) { return candidate }
            n += 1
        }
    }

    /// The path of `target` relative to the folder `from` (both absolute).
    static func relativePath(from: String, to target: String) -> String {
        let a = from.split(separator: "/"), b = target.split(separator: "/")
        var common = 0
        while common < a.count, common < b.count, a[common] == b[common] { common += 1 }
        let up = Array(repeating: "..", count: a.count - common)
        return (up + b[common...].map(String.init)).joined(separator: "/")
    }
}
