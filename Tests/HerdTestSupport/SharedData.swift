import Foundation

/// Real third-party test files.
///
/// `path` is the repository's own `Tests/Data` (a subset of the shared sets, small copies of the large
/// photos; `scripts/make_test_data.py` builds it), so a clone passes its tests with nothing beside it.
/// `full` is the complete shared folder (`../shared/data` beside the checkout) when it is there: tests may
/// use it as an extra, never as the only check of a behaviour.
public enum SharedData {
    /// The committed test data's absolute path.
    public static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Data").standardized.path

    /// The full shared data folder, or nil when the checkout stands alone.
    public static let full: String? = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/data").standardized.path
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue ? folder : nil
    }()
}
