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
        let writer = FolderWriter(root: configuration.output)
        let contents = try catalog.clusterContents()
        var plans: [ClusterFolderPlan] = []
        var sheetKeys: [(Int, String)] = []
        for cluster in contents {
            var plan = ClusterFolderPlan(clusterID: cluster.id, label: cluster.label, photos: cluster.members.map(\.path))
            let top = Array(cluster.members.prefix(Self.sheetPhotos).map(\.path))
            let key = top.joined(separator: "\n")
            let sheet = configuration.output + "/" + FolderWriter.folderName(clusterID: cluster.id, label: cluster.label) + "/" + FolderWriter.sheetName
            if key != cluster.sheetKey || !FileManager.default.fileExists(atPath: sheet) {
                plan.contactSheet = try contactSheet(top)
                sheetKeys.append((cluster.id, key))
            }
            plans.append(plan)
        }
        let changes = try writer.apply(plans)
        for (id, key) in sheetKeys { try catalog.setSheetKey(key, ofCluster: id) }
        if overview { try writeDuplicatesAndOverview(contents) }
        return changes
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
