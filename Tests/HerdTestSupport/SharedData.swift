import Foundation

/// Real third-party test files: `../shared/data` beside the checkout.
public enum SharedData {
    /// The folder's absolute path.
    public static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data").standardized.path
}
