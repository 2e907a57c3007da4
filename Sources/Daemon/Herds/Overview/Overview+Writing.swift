import Catalog
import Foundation
import Glibc

extension Herds {
    /// The duplicate groups of the library under the configured `duplicate_threshold` (or `threshold`).
    public func duplicateGroups(selection: DuplicateGrouping.Selection = .all, threshold: Double? = nil) throws -> [DuplicateGroup] {
        let rule = DuplicateRule(threshold: threshold ?? configuration.duplicateThreshold)
        return DuplicateGrouping.groups(try catalog.duplicateCandidates(modelID: modelID), rule: rule, selection: selection)
    }

    /// Writes `_duplicates/` and the overview pages for the clusters `contents` (what the folders now show). Without
    /// `digests` (no thumbnail cache) there is nothing to write.
    func writeDuplicatesAndOverview(_ contents: [ClusterContents]) throws {
        guard let digests else { return }
        let groups = try duplicateGroups()
        try DuplicateFolders(root: configuration.output).apply(groups.map { $0.members.map(\.path) })
        let hashes = try catalog.contentHashesByPath()
        let cached = Set((try? FileManager.default.contentsOfDirectory(atPath: digests.thumbnailFolder)) ?? [])
        var shown = Set<String>()
        func thumbnail(_ path: String) -> String? {
            guard let hash = hashes[path] else { return nil }
            let name = PhotoDigests.hex(hash) + ".jpg"
            guard cached.contains(name) else { return nil }
            shown.insert(name)
            return name
        }
        let herds = contents.map { cluster in
            OverviewLibrary.Herd(
                id: cluster.id, label: cluster.label, folder: FolderWriter.folderName(clusterID: cluster.id, label: cluster.label),
                photos: cluster.members.map { OverviewLibrary.Photo(path: $0.path, thumbnail: thumbnail($0.path)) })
        }
        let listed = groups.enumerated().map { i, group in
            OverviewLibrary.Group(
                folder: DuplicateFolders.groupFolder(i), group: group,
                thumbnails: Dictionary(uniqueKeysWithValues: group.members.compactMap { m in thumbnail(m.path).map { (m.path, $0) } }))
        }
        let counts = try catalog.counts(modelID: modelID)
        let library = OverviewLibrary(
            herds: herds, duplicates: listed, files: counts.files, embedded: counts.embedded, failed: counts.failed, written: Date())
        let writer = OverviewWriter(root: configuration.output, thumbnailCache: digests.thumbnailFolder)
        try writer.write(OverviewPages(root: configuration.output).render(library), thumbnails: shown)
        // Thumbnails of contents no file holds any more leave the cache.
        let live = Set(try catalog.embeddedContentHashes().map { PhotoDigests.hex($0) + ".jpg" })
        for name in cached where name.hasSuffix(".jpg") && !live.contains(name) {
            _ = Glibc.unlink(digests.thumbnailFolder + "/" + name)
        }
    }
}

/// Writes the overview's files: every page atomically (temporary file, fsync, rename; unchanged pages are left
/// alone), herd pages of herds that are gone removed, and `_overview/thumbs/` holding exactly the thumbnails the pages
/// show (hard links into the cache, copies when the cache is on another file system), so the output folder is
/// complete in itself.
public struct OverviewWriter: Sendable {
    public var root: String
    public var thumbnailCache: String

    public init(root: String, thumbnailCache: String) {
        self.root = root
        self.thumbnailCache = thumbnailCache
    }

    /// Writes `pages` (relative path → HTML) and makes the thumbnail folder hold exactly `thumbnails` (file names).
    public func write(_ pages: [String: String], thumbnails: Set<String>) throws {
        let folder = root + "/" + OverviewPages.folder
        let thumbs = folder + "/" + OverviewPages.thumbnails
        try FileManager.default.createDirectory(atPath: thumbs, withIntermediateDirectories: true)
        // Thumbnails first, so a page never names one that is not there yet.
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: thumbs))
        for name in thumbnails.subtracting(present) {
            let source = thumbnailCache + "/" + name, target = thumbs + "/" + name
            if Glibc.link(source, target) != 0 {
                guard let data = FileManager.default.contents(atPath: source) else { continue }
                try Syscall.writeAtomically(data, to: target)
            }
        }
        for (path, html) in pages.sorted(by: { $0.key < $1.key }) where path != "index.html" {
            try writeIfChanged(html, to: root + "/" + path)
        }
        // The index last: everything it links to exists by then.
        if let index = pages["index.html"] { try writeIfChanged(index, to: root + "/index.html") }
        for name in try FileManager.default.contentsOfDirectory(atPath: folder)
        where name.hasPrefix("herd-") && name.hasSuffix(".html") && pages[OverviewPages.folder + "/" + name] == nil {
            _ = Glibc.unlink(folder + "/" + name)
        }
        for name in present.subtracting(thumbnails) { _ = Glibc.unlink(thumbs + "/" + name) }
    }

    private func writeIfChanged(_ text: String, to path: String) throws {
        let data = Data(text.utf8)
        if FileManager.default.contents(atPath: path) == data { return }
        try Syscall.writeAtomically(data, to: path)
    }
}
