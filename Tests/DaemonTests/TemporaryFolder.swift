import HerdTestSupport
import Foundation

/// A fresh folder under the system temporary directory, removed by `remove()`.
struct TemporaryFolder {
    var path: String

    init(_ name: String = "herd-test") throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        // realpath, so comparisons with canonical paths hold when /tmp is a link.
        path = HerdTestPaths.real(path)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Creates `relative` folders and returns the absolute path.
    @discardableResult
    func folder(_ relative: String) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        return full
    }
}

enum HerdTestPaths {
    static func real(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The committed test data, `Tests/Data` (see `SharedData`).
    static var sharedData: String { SharedData.path }
}
