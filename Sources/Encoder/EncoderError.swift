import Tensor

/// Errors from loading or running an encoder, fetching or storing models; each names the file,
/// tensor or model and says what the user can do.
public struct EncoderError: Error, CustomStringConvertible, Equatable {
    /// The file, URL or model name concerned.
    public var subject: String
    /// What went wrong and how to fix it.
    public var message: String

    public init(_ subject: String, _ message: String) {
        self.subject = subject
        self.message = message
    }

    public var description: String { "\(subject): \(message)" }
}

extension EncoderError {
    /// Runs `body`, whose system calls go through Tensor's `SystemCall`; a failed call becomes an `EncoderError`
    /// naming the file, the call and errno, with `hint` (what the user can do) after it.
    @discardableResult
    static func systemCalls<T>(hint: String? = nil, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as TensorFileError {
            throw EncoderError(error.path, error.message + (hint.map { "; " + $0 } ?? ""))
        }
    }
}
