import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// HTTP GETs for model downloads: small files into memory, large ones appended to a partial file
/// with `Range` so an interrupted download resumes where it stopped. The hub answers a large file's
/// `resolve` URL with a redirect to its storage host; redirects are followed with the `Range` header
/// carried over, so the resumed part is asked of the storage host itself.
public struct Download: Sendable {
    /// Called with (bytes on disk, total bytes expected) as data arrives.
    public typealias Progress = @Sendable (Int64, Int64) -> Void

    let session: URLSession

    /// A downloader with its own session (no cookies, no cache).
    public init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.timeoutIntervalForRequest = 60
        session = URLSession(configuration: configuration)
    }

    /// The body of `url`; throws on a non-2xx status.
    public func data(from url: URL) async throws -> Data {
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await session.data(for: URLRequest(url: url))
        } catch {
            throw EncoderError(url.absoluteString, "request failed: \(error.localizedDescription); check the network (or HERD_HUB_URL)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw EncoderError(url.absoluteString, "the server answered HTTP \(status)")
        }
        return data
    }

    /// What a file download learnt on the way.
    public struct Transfer: Sendable {
        /// The URL the bytes came from after redirects (nil: none needed, the file was complete).
        public var source: URL?
        /// The hub's `X-Repo-Commit` header: the commit the revision resolved to.
        public var commit: String?
    }

    /// Downloads `url` into `partial`, resuming from its current size, until it holds `expected`
    /// bytes. Throws (keeping the partial file) when the transfer stops early, so calling again resumes.
    @discardableResult
    public func file(from url: URL, to partial: URL, expected: Int64, progress: Progress?) async throws -> Transfer {
        let fm = FileManager.default
        var existing = ((try? fm.attributesOfItem(atPath: partial.path))?[.size] as? NSNumber)?.int64Value ?? 0
        if existing > expected {
            try? fm.removeItem(at: partial)
            existing = 0
        }
        if existing == expected { return Transfer() }
        if !fm.fileExists(atPath: partial.path) {
            guard fm.createFile(atPath: partial.path, contents: nil) else {
                throw EncoderError(partial.path, "cannot create the download file; check free space and permissions")
            }
        }
        var request = URLRequest(url: url)
        let range = existing > 0 ? "bytes=\(existing)-" : nil
        if let range { request.setValue(range, forHTTPHeaderField: "Range") }
        let sink = try FileSink(path: partial.path, offset: existing, expected: expected, range: range, progress: progress)
        let delegateSession = URLSession(configuration: session.configuration, delegate: sink, delegateQueue: nil)
        defer { delegateSession.finishTasksAndInvalidate() }
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<FileSink.Outcome, Never>) in
            sink.finish = { continuation.resume(returning: $0) }
            delegateSession.dataTask(with: request).resume()
        }
        let size = ((try? fm.attributesOfItem(atPath: partial.path))?[.size] as? NSNumber)?.int64Value ?? 0
        let at = sink.location.map { $0 == url ? url.absoluteString : "\(url.absoluteString) (redirected to \($0.host ?? $0.absoluteString))" } ?? url.absoluteString
        switch outcome {
        case .status(416):
            try? fm.removeItem(at: partial)
            throw EncoderError(at, "the server refused to resume; the partial download was removed, run the command again")
        case .status(let code):
            throw EncoderError(at, "the server answered HTTP \(code)")
        case .failed(let message):
            throw EncoderError(at, "download interrupted at \(size) of \(expected) bytes (\(message)); run the same command again to resume")
        case .finished:
            guard size == expected else {
                throw EncoderError(at, "download incomplete: \(size) of \(expected) bytes; run the same command again to resume")
            }
        }
        return Transfer(source: sink.location, commit: sink.commit)
    }
}

/// Appends a response body to a file, following redirects with the `Range` header kept. `@unchecked
/// Sendable`: URLSession calls it on its own serial delegate queue only, and `finish` is set before the
/// task starts.
private final class FileSink: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    enum Outcome { case finished, status(Int), failed(String) }

    let handle: FileHandle
    let path: String
    let expected: Int64
    let range: String?
    let progress: Download.Progress?
    var written: Int64
    /// The URL of the last request (after redirects) and the hub's commit header.
    var location: URL?
    var commit: String?
    var finish: ((Outcome) -> Void)?
    var outcome: Outcome?

    init(path: String, offset: Int64, expected: Int64, range: String?, progress: Download.Progress?) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw EncoderError(path, "cannot open the download file for writing")
        }
        self.handle = handle
        self.path = path
        self.expected = expected
        self.range = range
        self.progress = progress
        self.written = offset
        super.init()
        try handle.truncate(atOffset: UInt64(offset))
        try handle.seek(toOffset: UInt64(offset))
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        commit = response.value(forHTTPHeaderField: "X-Repo-Commit") ?? commit
        var next = request
        if let range { next.setValue(range, forHTTPHeaderField: "Range") }
        completionHandler(next)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        location = response.url
        commit = (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "X-Repo-Commit") ?? commit
        if status == 200 && written > 0 {
            // The server ignored Range: start over from the first byte.
            try? handle.truncate(atOffset: 0)
            try? handle.seek(toOffset: 0)
            written = 0
        }
        guard status == 200 || status == 206 else {
            outcome = .status(status)
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        do {
            try handle.write(contentsOf: data)
            written += Int64(data.count)
            progress?(written, expected)
        } catch {
            outcome = .failed("cannot write \(path): \(error.localizedDescription)")
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        try? handle.synchronize()
        try? handle.close()
        let result = outcome ?? (error.map { .failed($0.localizedDescription) } ?? .finished)
        finish?(result)
        finish = nil
    }
}
