import Foundation
import Glibc

/// Keeps `_duplicates/NNNN/` under the output folder in step with the duplicate groups: one folder per group holding a
/// symlink per member, the suggested keeper first (`00-keep-NAME`, then `01-NAME`, …). Links appear whole (temporary
/// name, then rename), links and folders of groups that are gone are removed, and nothing herd did not create is
/// touched.
public struct DuplicateFolders: Sendable {
    /// The output folder.
    public let root: String
    /// The folder of groups under it.
    public static let folderName = "_duplicates"

    public init(root: String) {
        self.root = root
    }

    /// The folder name of the group at `index` (0-based) in the listing.
    public static func groupFolder(_ index: Int) -> String {
        let number = String(index + 1)
        return String(repeating: "0", count: max(0, 4 - number.count)) + number
    }

    /// The link names of a group's members, in order: the keeper's sorts first.
    public static func linkNames(_ paths: [String]) -> [String] {
        let width = max(2, String(paths.count - 1).count)
        return paths.enumerated().map { i, path in
            let number = String(i)
            let prefix = String(repeating: "0", count: width - number.count) + number
            var base = (path as NSString).lastPathComponent
            if base.hasPrefix(".") { base = "_" + base.dropFirst() }
            return i == 0 ? "\(prefix)-keep-\(base)" : "\(prefix)-\(base)"
        }
    }

    /// Brings `_duplicates` in line with `groups` (each: member paths, keeper first).
    public func apply(_ groups: [[String]]) throws {
        let base = root + "/" + Self.folderName
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: base, isDirectory: &isDirectory) && isDirectory.boolValue
        if groups.isEmpty && !exists { return }
        if !exists { try Syscall.call("mkdir", path: base) { Glibc.mkdir(base, 0o755) } }
        let rootDevice = try Syscall.lstat(root).st_dev
        var wanted = Set<String>()
        for (i, paths) in groups.enumerated() {
            let name = Self.groupFolder(i)
            wanted.insert(name)
            let folder = base + "/" + name
            if !FileManager.default.fileExists(atPath: folder) { try Syscall.call("mkdir", path: folder) { Glibc.mkdir(folder, 0o755) } }
            let links = Dictionary(uniqueKeysWithValues: zip(Self.linkNames(paths), paths))
            try sync(folder, to: links, rootDevice: rootDevice)
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: base) where !wanted.contains(name) {
            guard name.allSatisfy(\.isNumber), (try? Syscall.lstat(base + "/" + name))?.isDirectory == true else { continue }
            try sync(base + "/" + name, to: [:], rootDevice: rootDevice)
            _ = Glibc.rmdir(base + "/" + name)
        }
        if groups.isEmpty { _ = Glibc.rmdir(base) }
    }

    /// The symlinks in `folder` become exactly `links` (name → photo path).
    private func sync(_ folder: String, to links: [String: String], rootDevice: dev_t) throws {
        var present: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            let path = folder + "/" + name
            guard ((try? Syscall.lstat(path))?.st_mode ?? 0) & S_IFMT == S_IFLNK else { continue }
            let destination = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? ""
            let target = destination.hasPrefix("/") ? destination : URL(fileURLWithPath: folder + "/" + destination).standardized.path
            if name.hasPrefix(".herd-tmp-") || links[name] != target {
                try Syscall.call("unlink", path: path) { Glibc.unlink(path) }
            } else {
                present[name] = target
            }
        }
        for (name, photo) in links.sorted(by: { $0.key < $1.key }) where present[name] == nil {
            try FolderWriter.placeLink(to: photo, named: name, in: folder, rootDevice: rootDevice)
        }
    }
}

extension FolderWriter {
    /// Puts a symlink to `photo` at `folder/name`, whole: created under a temporary name, then renamed over whatever
    /// was there. Relative when the photo is on the output's device (`rootDevice`), absolute otherwise.
    static func placeLink(to photo: String, named name: String, in folder: String, rootDevice: dev_t) throws {
        let sameDevice = (try? Syscall.lstat(photo))?.st_dev == rootDevice
        let destination = sameDevice ? relativePath(from: folder, to: photo) : photo
        let temporary = folder + "/.herd-tmp-\(UUID().uuidString)"
        try Syscall.symlink(destination, at: temporary)
        do {
            try Syscall.rename(temporary, to: folder + "/" + name)
        } catch {
            try? Syscall.unlink(temporary)
            throw error
        }
    }
}
