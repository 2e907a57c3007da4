import Catalog
import Foundation
import Logging

/// What one reconcile changed.
public struct ScanReport: Sendable, Equatable, Codable {
    /// Files seen for the first time.
    public var added = 0
    /// Files whose content changed.
    public var changed = 0
    /// Files moved or renamed (no re-encode).
    public var moved = 0
    /// Files gone.
    public var deleted = 0
    /// Candidate files seen on disk in scope.
    public var seen = 0
    /// Folders walked.
    public var directories = 0
    /// Folders that could not be read (their files were kept).
    public var unreadable = 0
    /// Library roots found missing, or empty while the catalogue holds photos from them, with the reason: their rows
    /// were kept.
    public var unavailableRoots: [String: String] = [:]
    /// Library roots found present and in use.
    public var presentRoots: [String] = []
    /// Paths whose link in a herd folder must go: files deleted, moved away or changed (a changed file is linked again
    /// once ingested). Not stored with the report.
    public var leftPaths: Set<String> = []
    /// Contents of files that moved: linked at their new paths. Not stored with the report.
    public var movedContents: Set<Data> = []

    /// An empty report.
    public init() {}

    /// Whether links in the herd folders may have to go or move: files changed, moved or left. (A new file gets its
    /// link once it is ingested.)
    public var movesLinks: Bool { changed + moved + deleted > 0 }

    enum CodingKeys: String, CodingKey {
        case added, changed, moved, deleted, seen, directories, unreadable, unavailableRoots, presentRoots
    }

    /// `12 added, 3 moved, …` (only non-zero counts), or `no changes`.
    public var summary: String {
        let parts = [("added", added), ("changed", changed), ("moved", moved), ("deleted", deleted), ("unreadable folders", unreadable)]
            .filter { $0.1 > 0 }.map { "\($0.1) \($0.0)" }
        return parts.isEmpty ? "no changes" : parts.joined(separator: ", ")
    }
}

/// Reconciles the disk with the catalogue: a whole library, or just the paths the watcher reported.
public struct Scanner: Sendable {
    /// Where the libraries are and what to skip.
    public var layout: LibraryLayout
    /// The catalogue written to.
    public var catalog: Catalog
    /// Where diagnostics go.
    public var logger: Logger

    /// A scanner over `layout`, writing to `catalog`.
    public init(layout: LibraryLayout, catalog: Catalog, logger: Logger) {
        self.layout = layout
        self.catalog = catalog
        self.logger = logger
    }

    /// Walks every library root and reconciles it; rows outside every root are removed. `onDirectory` sees each folder.
    /// A root that is unavailable (see `availability(of:)`) keeps all its rows. Failed files of the kinds retried at
    /// every rescan are queued again first.
    public func reconcileAll(onDirectory: (String) -> Void = { _ in }) throws -> ScanReport {
        var disk: [FileStat] = []
        var protected: [String] = []
        var report = ScanReport()
        for root in layout.roots {
            if let reason = try availability(of: root) {
                logger.warning("library unavailable; its catalogued files are kept until it is back", metadata: ["path": "\(root)", "reason": "\(reason)"])
                protected.append(root)
                report.unavailableRoots[root] = reason
                continue
            }
            report.presentRoots.append(root)
            let walk = layout.walk(root)
            walk.directories.forEach(onDirectory)
            disk += walk.files
            report.directories += walk.directories.count
            for (path, reason) in walk.unreadable {
                logger.warning("cannot read folder; its catalogued files are kept", metadata: ["path": "\(path)", "reason": "\(reason)"])
                protected.append(path)
            }
            report.unreadable += walk.unreadable.count
        }
        let retried = try catalog.requeueRetryableFailures(under: report.presentRoots)
        if retried > 0 { logger.info("failed files queued again", metadata: ["files": "\(retried)"]) }
        let rows = try catalog.allEntries().filter { entry in
            !protected.contains { entry.stat.path == $0 || HerdConfiguration.isInside(entry.stat.path, $0) }
        }
        var result = try reconcile(disk: disk, rows: rows, report: report)
        result.changed += retried
        return result
    }

    /// Nil when the library root can be scanned; otherwise why not. A missing root (renamed, deleted, an unmounted
    /// network share) is unavailable. So is a root whose disk looks unmounted, since reading it as "everything deleted"
    /// would throw away features, clusters and labels that a remount brings back: an empty folder while the catalogue
    /// holds photos from it, or a folder that is no mount point now (it is on its parent's file system) while every
    /// catalogued photo in it was on another file system. To drop such a library for good, remove it from `libraries`.
    public func availability(of root: String) throws -> String? {
        guard let info = try? Syscall.lstat(root) else { return "the folder is missing (renamed, deleted or not mounted)" }
        guard info.isDirectory else { return "the path is not a folder" }
        guard let entries = try? Syscall.directoryEntries(root) else { return nil }  // unreadable: the walk reports it
        // Asked for every event the watcher reports: index lookups, not a read of every photo under the root.
        if try !catalog.hasEntries(under: root) { return nil }
        if entries.isEmpty {
            return "the folder is empty but the catalogue holds photos from it (an unmounted disk?); its photos are kept until they are back"
        }
        let parent = (root as NSString).deletingLastPathComponent
        // (A library whose photos sit on file systems mounted inside it still finds them at their paths.)
        if let parentInfo = try? Syscall.lstat(parent.isEmpty ? "/" : parent), parentInfo.st_dev == info.st_dev,
           try !catalog.hasEntries(under: root, onDevice: UInt64(info.st_dev)),
           !(try catalog.entries(under: root)).contains(where: { (try? Syscall.lstat($0.stat.path)) != nil }) {
            return "nothing is mounted here now: the catalogued photos were on another file system (an unmounted disk?); they are kept until it is back"
        }
        return nil
    }

    /// Reconciles just `paths` (files or folders, present or gone): what the watcher saw change.
    /// `onDirectory` sees each folder found, so new folders get watched.
    public func reconcile(paths: Set<String>, onDirectory: (String) -> Void = { _ in }) throws -> ScanReport {
        var disk: [String: FileStat] = [:]
        var rows: [Int64: CatalogEntry] = [:]
        var report = ScanReport()
        // A folder event covers everything below it; drop paths inside another dirty path.
        let sorted = paths.filter { layout.isInScope($0) }.sorted()
        var tops: [String] = []
        for path in sorted where !tops.contains(where: { HerdConfiguration.isInside(path, $0) }) { tops.append(path) }
        // Nothing under a root that is unavailable is touched: a renamed root's events must not delete its rows.
        var checked: [String: String?] = [:]
        for path in tops {
            guard let root = layout.root(containing: path) else { continue }
            if checked[root] == nil { checked[root] = .some(try availability(of: root)) }
            if let reason = checked[root] ?? nil {
                report.unavailableRoots[root] = reason
                continue
            }
            if path == root { report.presentRoots.append(root) }
            for entry in try catalog.entries(under: path) { rows[entry.id] = entry }
            guard let info = try? Syscall.lstat(path) else { continue }
            if info.isDirectory {
                let walk = layout.walk(path)
                walk.directories.forEach(onDirectory)
                report.directories += walk.directories.count
                for file in walk.files { disk[file.path] = file }
                for (unreadable, reason) in walk.unreadable {
                    logger.warning("cannot read folder; its catalogued files are kept", metadata: ["path": "\(unreadable)", "reason": "\(reason)"])
                    rows = rows.filter { !($0.value.stat.path == unreadable || HerdConfiguration.isInside($0.value.stat.path, unreadable)) }
                }
                report.unreadable += walk.unreadable.count
            } else if info.isRegularFile, layout.isCandidateFile(path) {
                disk[path] = info.fileStat(path: path)
            }
        }
        return try reconcile(disk: Array(disk.values), rows: Array(rows.values), report: report)
    }

    private func reconcile(disk: [FileStat], rows: [CatalogEntry], report: ScanReport) throws -> ScanReport {
        let plan = Reconciliation.plan(disk: disk, catalogue: rows)
        let changes = Reconciliation.matchByContent(plan) { file in
            // A file that cannot be read now is simply added; ingest records why it fails.
            try? ContentHash.sha256(ofFileAt: file.path)
        }
        try catalog.apply(changes)
        var report = report
        let byID = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        report.leftPaths = Set((changes.deleted + changes.moved.map(\.id) + changes.changed.map(\.id)).compactMap { byID[$0]?.stat.path })
        report.movedContents = Set(changes.moved.compactMap { byID[$0.id]?.contentHash })
        report.seen = disk.count
        report.added = changes.added.count
        report.changed = changes.changed.count
        report.moved = changes.moved.count
        report.deleted = changes.deleted.count
        return report
    }
}
