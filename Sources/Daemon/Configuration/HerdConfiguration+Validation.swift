import Encoder
import Foundation
import Glibc

extension HerdConfiguration {
    /// The configuration with library and output paths made canonical, or an error saying what to fix:
    /// libraries must be readable folders, none inside another, and the output may not overlap any library.
    public func validated() throws -> HerdConfiguration {
        guard !libraries.isEmpty else {
            throw DaemonError(.library, path: nil, "no library folder configured; name at least one: `herd init ~/Pictures --output DIR`")
        }
        guard threads >= 1, batchSize >= 1, debounceMilliseconds >= 0, rescanIntervalSeconds >= 1, libraryPollSeconds >= 1 else {
            throw DaemonError(
                .configuration, path: nil,
                "threads and batch_size must be at least 1, debounce_ms at least 0, rescan_interval_s and library_poll_s at least 1")
        }
        guard clusters >= 0, clusters == 0 || clusters >= 2, retrainMinimumNew >= 1, retrainFraction >= 0, retrainIntervalMinutes >= 0,
              trainSteps >= 0 else {
            throw DaemonError(
                .configuration, path: nil,
                "clusters must be 0 (automatic) or at least 2; retrain_min_new at least 1; retrain_fraction, retrain_interval_min and train_steps at least 0")
        }
        guard duplicateThreshold >= 0, duplicateThreshold <= 2 else {
            throw DaemonError(.configuration, path: nil, "duplicate_threshold is a cosine distance between 0 and 2; got \(duplicateThreshold)")
        }
        guard Precision(rawValue: precision) != nil else {
            throw DaemonError(
                .configuration, path: nil,
                "precision (set by --precision, HERD_PRECISION or `precision` in config.toml) must be one of \(Precision.allCases.map { "\"\($0)\"" }.joined(separator: ", ")); got \"\(precision)\"")
        }
        var roots: [String] = []
        for library in libraries {
            let absolute = HerdPaths.absolute(library)
            guard let resolved = Self.realPath(absolute) else {
                throw DaemonError(.library, path: absolute, "library folder does not exist; check the path or create it")
            }
            guard let info = try? Syscall.lstat(resolved), info.isDirectory else {
                throw DaemonError(.library, path: absolute, "library is not a folder")
            }
            guard access(resolved, R_OK | X_OK) == 0 else {
                throw DaemonError(.library, path: absolute, "library folder is not readable by this user; fix its permissions")
            }
            if !roots.contains(resolved) { roots.append(resolved) }
        }
        for a in roots {
            for b in roots where a != b && Self.isInside(a, b) {
                throw DaemonError(.library, path: a, "library is inside library \(b); list only \(b)")
            }
        }
        let output = Self.canonicalOutput(HerdPaths.absolute(self.output))
        for root in roots {
            if Self.isInside(output, root) || output == root {
                throw DaemonError(
                    .library, path: output,
                    "output folder is inside library \(root); herd would scan its own links. Choose a folder outside every library")
            }
            if Self.isInside(root, output) {
                throw DaemonError(.library, path: output, "output folder contains library \(root); choose a folder outside every library")
            }
        }
        // herd's folders never go into a folder that holds anything of someone else's.
        try FolderWriter.checkOutput(output)
        var copy = self
        copy.libraries = roots
        copy.output = output
        return copy
    }

    /// True when `path` lies strictly below `folder`.
    static func isInside(_ path: String, _ folder: String) -> Bool {
        let prefix = folder == "/" ? "/" : folder + "/"
        return path.hasPrefix(prefix) && path != folder
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The output path with its deepest existing ancestor resolved, so a symlinked parent cannot hide an overlap.
    static func canonicalOutput(_ path: String) -> String {
        var existing = path
        var rest: [String] = []
        while existing != "/", realPath(existing) == nil {
            rest.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        let base = realPath(existing) ?? existing
        return rest.reduce(base) { $0 == "/" ? "/" + $1 : $0 + "/" + $1 }
    }
}

extension HerdConfiguration {
    /// `precision` as the encoder's setting (auto when the text is not one; `validated()` rejects that).
    public var encoderPrecision: Precision { Precision(rawValue: precision) ?? .auto }
}
