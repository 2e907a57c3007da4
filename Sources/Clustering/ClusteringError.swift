/// Errors from the Clustering module: bad input named, with what to do about it.
public struct ClusteringError: Error, CustomStringConvertible, Equatable {
    /// What went wrong and what the user can do.
    public var message: String

    /// An error with the given message.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
