/// Why a file could not be turned into pixels. Every case names the file and says what was seen.
public struct ImagingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The broad reason, for scripts and for deciding whether a retry can help.
    public enum Kind: String, Sendable, Codable {
        /// Not an image format herd decodes (names what was seen instead).
        case unsupportedFormat = "unsupported-format"
        /// A known format with a feature herd does not decode (e.g. 12-bit JPEG).
        case unsupportedFeature = "unsupported-feature"
        /// The data is damaged.
        case corrupt
        /// The file ends before the image does.
        case truncated
        /// The image is larger than the configured limits allow.
        case tooLarge = "too-large"
        /// The file could not be read at all.
        case unreadable
    }

    /// The broad reason.
    public var kind: Kind
    /// The file concerned.
    public var path: String
    /// What went wrong, in words a person can act on.
    public var message: String

    public init(_ kind: Kind, path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
