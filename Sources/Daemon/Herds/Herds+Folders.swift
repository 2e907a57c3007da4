import Catalog
import Foundation
import Imaging

extension Herds {
    /// Photos on a contact sheet: the ones the head is surest of, i.e. nearest the cluster's centre.
    static let sheetPhotos = 12

    /// Brings the output folder in line with the catalogue: one `NN-name` folder of links per cluster, and a contact
    /// sheet wherever the photos nearest the centre changed or the sheet is missing; with `overview`, also the
    /// `_duplicates` folders and the overview pages (`writeOverview`).
    @discardableResult
    public func writeFolders(overview: Bool = true) throws -> FolderChanges {
        let contents = try catalog.clusterContents()
        var plans: [ClusterFolderPlan] = []
        var sheetKeys: [(Int, String)] = []
        for cluster in contents {
            var plan = ClusterFolderPlan(clusterID: cluster.id, label: cluster.label, photos: cluster.members.map(\.path))
            if let (sheet, key) = try sheetIfChanged(cluster) {
                plan.contactSheet = sheet
                sheetKeys.append((cluster.id, key))
            }
            plans.append(plan)
        }
        let changes = try folderWriter.apply(plans)
        for (id, key) in sheetKeys { try catalog.setSheetKey(key, ofCluster: id) }
        if overview { try writeDuplicatesAndOverview(contents) }
        return changes
    }

    /// Links the files holding `contents` (what ingest just committed, files that moved) into their clusters' folders
    /// and takes away the links to `removing` (files that left, moved away or changed), reading only their places and
    /// the contact-sheet photos of their clusters instead of every photo's. Returns nil, having changed nothing, when a
    /// cluster's folder must be renamed first: `writeFolders` then does it all.
    public func linkCommitted(_ contents: Set<Data>, removing: Set<String> = []) throws -> FolderChanges? {
        let placements = try catalog.placements(ofContents: contents)
        if placements.isEmpty && removing.isEmpty { return FolderChanges() }
        var plans: [Int: ClusterFolderPlan] = [:]
        for placement in placements {
            plans[placement.clusterID, default: ClusterFolderPlan(clusterID: placement.clusterID, label: placement.label, photos: [])]
                .photos.append(placement.path)
        }
        var sheetKeys: [(Int, String)] = []
        // A cluster whose sheet shows a photo that left gets a new sheet.
        let losing = removing.isEmpty ? [] : try catalog.sheetKeys().compactMap { id, key in
            plans[id] == nil && key.split(separator: "\n").contains { removing.contains(String($0)) } ? id : nil
        }
        for id in losing {
            guard let cluster = try catalog.clusterTop(id: id, limit: Self.sheetPhotos) else { continue }
            plans[id] = ClusterFolderPlan(clusterID: id, label: cluster.label, photos: [])
        }
        for id in plans.keys {
            guard let top = try catalog.clusterTop(id: id, limit: Self.sheetPhotos), let (sheet, key) = try sheetIfChanged(top) else { continue }
            plans[id]?.contactSheet = sheet
            sheetKeys.append((id, key))
        }
        guard let changes = try folderWriter.add(plans.values.sorted { $0.clusterID < $1.clusterID }, removing: removing) else { return nil }
        for (id, key) in sheetKeys { try catalog.setSheetKey(key, ofCluster: id) }
        return changes
    }

    private var folderWriter: FolderWriter { FolderWriter(root: configuration.output, listings: folderListings) }

    /// A new contact sheet and the key of the photos on it, when the cluster's most typical photos are not the ones
    /// its sheet shows or the sheet is missing; nil otherwise.
    private func sheetIfChanged(_ cluster: ClusterContents) throws -> (Data, String)? {
        let top = Array(cluster.members.prefix(Self.sheetPhotos).map(\.path))
        let key = top.joined(separator: "\n")
        let sheet = configuration.output + "/" + FolderWriter.folderName(clusterID: cluster.id, label: cluster.label) + "/" + FolderWriter.sheetName
        if key == cluster.sheetKey && FileManager.default.fileExists(atPath: sheet) { return nil }
        return (try contactSheet(top), key)
    }

    /// The `_duplicates` folders and the overview pages, in line with the catalogue. With many photos this reads and
    /// writes much more than the herd folders do, so the daemon writes it less often while photos keep changing.
    public func writeOverview() throws {
        try writeDuplicatesAndOverview(catalog.clusterContents())
    }

    /// A JPEG grid of these photos; files that cannot be decoded are left out.
    func contactSheet(_ paths: [String]) throws -> Data {
        let decoder = ImageDecoder()
        let cell = 160
        var images: [RGBImage] = []
        for path in paths {
            do {
                let decoded = try RawPath.decode(path, with: decoder, minimumShortSide: cell)
                images.append(decoded.image)
            } catch {
                logger.debug("left out of a contact sheet", metadata: ["path": "\(path)", "error": "\(error)"])
            }
        }
        return try JPEGEncoder.encode(ContactSheet(columns: 4, cell: cell).render(images), quality: 85)
    }
}
