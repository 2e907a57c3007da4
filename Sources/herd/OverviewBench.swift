import ArgumentParser
import Daemon
import Foundation

/// `herd bench overview`: page weight and writing time of the overview pages for a made-up library of the given size.
struct OverviewBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overview",
        abstract: "Size of index.html and time to render and write the overview pages for N photos in H herds.",
        discussion: """
            The library is made up (paths, labels, one 5 KB thumbnail per photo in a temporary cache, 1 % of photos in \
            duplicate pairs); no catalogue is read, so the figures are the pages' own cost: rendering the HTML, linking \
            the thumbnails into _overview/thumbs and writing every page atomically. Measured: a first write into an \
            empty folder, a rewrite where nothing changed, and a rewrite after one herd was relabelled.
            """)

    @Option(help: "Photos in the library.")
    var photos = 10_000

    @Option(help: "Herds (clusters).")
    var herds = 100

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        if herds < 1 || photos < herds { throw ValidationError("need at least one herd and one photo per herd") }
    }

    func run() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("herd-overview-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let cache = base + "/cache", output = base + "/out"
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let thumbnail = Data(repeating: 0x5A, count: 5_000)
        var thumbnails = Set<String>()
        var list: [OverviewLibrary.Herd] = []
        for id in 1...herds {
            let count = photos / herds + (id <= photos % herds ? 1 : 0)
            let members = (0..<count).map { i -> OverviewLibrary.Photo in
                let name = String(format: "%08x%08x.jpg", id, i)
                thumbnails.insert(name)
                return OverviewLibrary.Photo(path: "/home/user/Pictures/\(2000 + id % 25)/\(id)/IMG_\(1000 + i).jpg", thumbnail: name)
            }
            list.append(.init(id: id, label: id % 3 == 0 ? "Holiday \(id)" : nil,
                              folder: FolderWriter.folderName(clusterID: id, label: id % 3 == 0 ? "Holiday \(id)" : nil), photos: members))
        }
        for name in thumbnails { FileManager.default.createFile(atPath: cache + "/" + name, contents: thumbnail) }
        var groups: [OverviewLibrary.Group] = []
        for herd in list {
            for pair in stride(from: 0, to: herd.photos.count / 100, by: 1) {
                let a = herd.photos[pair * 2], b = herd.photos[pair * 2 + 1]
                let member = { (p: OverviewLibrary.Photo, d: Float) in
                    DuplicateMember(path: p.path, width: 4000, height: 3000, size: 3_000_000, takenAt: nil, distance: d, signatureBits: d == 0 ? 0 : 3, exactCopy: false)
                }
                groups.append(.init(folder: DuplicateFolders.groupFolder(groups.count),
                                    group: DuplicateGroup(kind: "near", members: [member(a, 0), member(b, 0.01)], reason: "most pixels (4000×3000)"),
                                    thumbnails: [a.path: a.thumbnail ?? "", b.path: b.thumbnail ?? ""]))
            }
        }
        var library = OverviewLibrary(herds: list, duplicates: groups, files: photos, embedded: photos, failed: 0, written: Date())
        let pages = OverviewPages(root: output), writer = OverviewWriter(root: output, thumbnailCache: cache)
        func timed(_ body: () throws -> Void) rethrows -> Double {
            let start = Date()
            try body()
            return Date().timeIntervalSince(start)
        }
        var rendered: [String: String] = [:]
        let render = timed { rendered = pages.render(library) }
        let first = try timed { try writer.write(rendered, thumbnails: thumbnails) }
        let unchanged = try timed { try writer.write(pages.render(library), thumbnails: thumbnails) }
        library.herds[0].label = "Renamed"
        library.herds[0].folder = FolderWriter.folderName(clusterID: 1, label: "Renamed")
        let relabelled = try timed { try writer.write(pages.render(library), thumbnails: thumbnails) }
        // The peer, in the same run: the herd folders of symlinks for the same photos.
        let plans = library.herds.map { ClusterFolderPlan(clusterID: $0.id, label: $0.label, photos: $0.photos.map(\.path)) }
        let folders = try timed { try FolderWriter(root: base + "/folders").apply(plans) }
        let indexBytes = rendered["index.html"]?.utf8.count ?? 0
        let allBytes = rendered.values.reduce(0) { $0 + $1.utf8.count }
        let herdPage = rendered.filter { $0.key.hasPrefix("_overview/herd-") }.map(\.value.utf8.count).max() ?? 0
        if json {
            let object: [String: Any] = [
                "photos": photos, "herds": herds, "duplicate_groups": groups.count, "index_bytes": indexBytes, "all_pages_bytes": allBytes,
                "largest_herd_page_bytes": herdPage, "render_seconds": render, "first_write_seconds": first,
                "unchanged_write_seconds": unchanged, "relabelled_write_seconds": relabelled, "herd_folders_seconds": folders,
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            return
        }
        print("\(photos) photos in \(herds) herds, \(groups.count) duplicate groups")
        print(String(format: "index.html %.1f KB (plus %d contact sheets); largest herd page %.1f KB; all pages %.1f MB",
                     Double(indexBytes) / 1000, herds, Double(herdPage) / 1000, Double(allBytes) / 1e6))
        print(String(format: "render %.3f s; first write (pages + %d thumbnail links) %.3f s; rewrite, nothing changed %.3f s; after a relabel %.3f s",
                     render, thumbnails.count, first, unchanged, relabelled))
        print(String(format: "peer: writing the herd folders (%d symlinks) %.3f s; first overview write / folders = %.2f×",
                     photos, folders, (render + first) / folders))
    }
}
