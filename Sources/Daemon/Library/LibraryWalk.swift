import Catalog
import Foundation
import Glibc

/// What a walk of part of a library found.
public struct LibraryWalk: Sendable {
    /// Candidate image files (not symlinks, not hidden, not in the output folder).
    public var files: [FileStat] = []
    /// Folders walked, the start folder included: the watcher watches each.
    public var directories: [String] = []
    /// Folders that could not be read, with the reason: their catalogued files are left alone.
    public var unreadable: [(path: String, reason: String)] = []
    /// Regular files passed over: neither an image name nor image bytes.
    public var notImages = 0

    /// An empty walk.
    public init() {}
}

/// The rules for what inside a library is a photo herd looks at.
public struct LibraryLayout: Sendable, Equatable {
    /// Library roots, canonical.
    public var roots: [String]
    /// The output folder, skipped wherever it appears.
    public var output: String

    /// A layout.
    public init(roots: [String], output: String) {
        self.roots = roots
        self.output = output
    }

    /// The root containing `path` (or equal to it).
    public func root(containing path: String) -> String? {
        roots.first { path == $0 || HerdConfiguration.isInside(path, $0) }
    }

    /// True when `path` is in a library, below no hidden folder, and not the output folder or inside it.
    public func isInScope(_ path: String) -> Bool {
        guard let root = root(containing: path) else { return false }
        if path == output || HerdConfiguration.isInside(path, output) { return false }
        let relative = path.dropFirst(root.count)
        return !relative.split(separator: "/").contains { $0.hasPrefix(".") }
    }

    /// True when a regular file at `path` is a candidate: an image extension, or image magic bytes.
    public func isCandidateFile(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent
        return ImageSniffing.hasImageExtension(name) || ImageSniffing.isLikelyImage(atPath: path)
    }

    /// Walks the folder at `start` without following symlinks, skipping hidden entries and the output folder.
    public func walk(_ start: String) -> LibraryWalk {
        var walk = LibraryWalk()
        var stack = [start]
        while let directory = stack.popLast() {
            let children: [String]
            do {
                // Names are bytes: one that is not UTF-8 is kept exactly (RawPath), never skipped.
                children = try Syscall.directoryEntries(directory).filter { !$0.hasPrefix(".") }
            } catch {
                let code = (error as? DaemonError)?.errno ?? 0
                walk.unreadable.append((directory, "opendir failed: \(String(cString: strerror(code))) (errno \(code))"))
                continue
            }
            walk.directories.append(directory)
            for name in children.sorted() {
                let path = directory == "/" ? "/" + name : directory + "/" + name
                guard let info = try? Syscall.lstat(path) else { continue }
                if info.isDirectory {
                    if path != output { stack.append(path) }
                } else if info.isRegularFile {
                    if isCandidateFile(path) {
                        walk.files.append(info.fileStat(path: path))
                    } else {
                        walk.notImages += 1
                    }
                }
            }
        }
        return walk
    }
}
