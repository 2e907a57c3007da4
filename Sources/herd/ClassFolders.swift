import Daemon
import Foundation
import Imaging

/// A folder whose immediate sub-folders are classes: each class is the images found below its folder,
/// by the scanner's rules (image name or image bytes; hidden entries and symlinks passed over).
struct ClassFolders {
    /// One class: its folder name and its candidate image files, sorted by path.
    struct Class {
        var name: String
        var images: [String]
    }

    /// The folder given.
    var root: String
    /// Classes with at least one candidate image, by folder name.
    var classes: [Class] = []
    /// Sub-folders without any candidate image: not classes.
    var empty: [String] = []
    /// Entries directly in `root` that are not folders (files, symlinks): not in any class.
    var topLevelEntries = 0
    /// Files inside class folders that are not images.
    var notImages = 0
    /// Folders below `root` that could not be read, with the reason.
    var unreadable: [(path: String, reason: String)] = []

    /// Every image with the index of its class, in class order.
    var labelledImages: [(path: String, label: Int)] {
        classes.enumerated().flatMap { label, c in c.images.map { ($0, label) } }
    }

    /// Finds the classes of `root`. Throws when `root` is missing, not a folder or unreadable.
    init(root: String) throws {
        self.root = root
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else {
            throw EvalError("\(root): no such folder; give a folder with one sub-folder of images per class")
        }
        guard isDirectory.boolValue else {
            throw EvalError("\(root): not a folder; --images takes a folder with one sub-folder of images per class")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: root)
        } catch {
            throw EvalError("\(root): cannot read the folder (\(ImageDecoder.reason(error))); check its permissions")
        }
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = (root as NSString).appendingPathComponent(name)
            // attributesOfItem does not follow symlinks: a link to a folder is not a class.
            let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
            guard type == .typeDirectory else {
                topLevelEntries += 1
                continue
            }
            let walk = LibraryLayout(roots: [path], output: "").walk(path)
            unreadable += walk.unreadable
            notImages += walk.notImages
            let images = walk.files.map(\.path).sorted()
            if images.isEmpty {
                empty.append(name)
            } else {
                classes.append(Class(name: name, images: images))
            }
        }
    }
}
