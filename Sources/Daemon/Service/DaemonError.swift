import Glibc

/// An error from the daemon module: what failed, for which file, and what the user can do.
public struct DaemonError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure.
    public enum Code: String, Sendable {
        /// The configuration file is missing, unreadable or invalid.
        case configuration
        /// A library or output folder is unusable.
        case library
        /// A system call failed.
        case system
        /// Another herd process holds the catalogue.
        case busy
        /// The configured model is not available in this build.
        case model
        /// A cluster request (label, merge, recluster) cannot be carried out.
        case request
    }

    /// The kind of failure.
    public var code: Code
    /// The file or folder concerned, when there is one.
    public var path: String?
    /// What went wrong and how to fix it.
    public var message: String
    /// The errno of a failed system call.
    public var errno: Int32?

    /// An error about `path`.
    public init(_ code: Code, path: String?, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.errno = errno
    }

    /// `PATH: message`, or the message alone.
    public var description: String {
        if let path { return "\(path): \(message)" }
        return message
    }

    /// A failed system call: names the call and errno.
    static func system(_ call: String, errno: Int32, path: String?) -> DaemonError {
        DaemonError(.system, path: path, "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))", errno: errno)
    }
}
