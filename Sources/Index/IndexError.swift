/// Errors from the Index module; each names the file or the input and says what to do.
public struct IndexError: Error, CustomStringConvertible, Equatable {
    /// What kind of failure this is, for callers that react differently.
    public enum Code: Sendable, Equatable {
        /// A vector's length differs from the index's dimension.
        case dimensionMismatch
        /// A vector holds NaN or infinity.
        case invalidVector
        /// The file does not start with the index magic.
        case notAnIndexFile
        /// The file was written by a newer or unknown format version.
        case unsupportedVersion
        /// The file is shorter than its header says.
        case truncated
        /// The file's checksum or structure is wrong.
        case corrupt
        /// A system call failed while reading or writing.
        case io
    }

    /// The kind of failure.
    public var code: Code
    /// The file concerned, when there is one.
    public var path: String?
    /// What went wrong and what the user can do.
    public var message: String

    /// An error of `code` about `path` with a message.
    public init(_ code: Code, path: String? = nil, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { path.map { "\($0): \(message)" } ?? message }
}
