/// An error from the catalogue: what went wrong with which file, and what to do.
public struct CatalogError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// No catalogue file exists yet.
        case missing
        /// The file could not be opened or created.
        case cannotOpen
        /// The schema predates this build.
        case olderSchema
        /// The schema was written by a newer build.
        case newerSchema
        /// SQLite reported an error.
        case sqlite
        /// The disk (or quota) holding the catalogue is full: nothing was written; try again when space is freed.
        case diskFull
    }

    /// The kind of failure.
    public var code: Code
    /// The catalogue file.
    public var path: String
    /// What went wrong and how to fix it.
    public var message: String

    /// An error about the catalogue at `path`.
    public init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// `catalogue PATH: message`.
    public var description: String { "catalogue \(path): \(message)" }
}
