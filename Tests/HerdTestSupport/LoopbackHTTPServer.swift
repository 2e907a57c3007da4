import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for download tests: one connection
/// at a time, `Connection: close`, GET with optional `Range: bytes=N-`, redirects, extra headers.
public final class LoopbackHTTPServer: @unchecked Sendable {  // state guarded by `lock`; the accept loop runs on its own thread
    /// What to send for a path.
    public struct Route {
        public var body: Data
        /// Send only this many body bytes, then close (Content-Length still announces the whole).
        public var cutAfter: Int?
        /// Honour Range requests.
        public var ranges = true
        /// Answer `302 Found` with this Location instead of the body (as the hub does for LFS files).
        public var redirect: URL? = nil
        /// Extra response headers (e.g. `X-Repo-Commit`).
        public var headers: [String: String] = [:]

        public init(body: Data, cutAfter: Int? = nil, ranges: Bool = true, redirect: URL? = nil, headers: [String: String] = [:]) {
            self.body = body
            self.cutAfter = cutAfter
            self.ranges = ranges
            self.redirect = redirect
            self.headers = headers
        }

        /// A redirect to `location`.
        public static func redirect(to location: URL, headers: [String: String] = [:]) -> Route {
            Route(body: Data(), redirect: location, headers: headers)
        }
    }

    public let port: UInt16
    private let socketFD: Int32
    private let lock = NSLock()
    private var routes: [String: Route] = [:]
    private var log: [(path: String, range: String?)] = []
    private var thread: Thread?

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        socketFD = fd
        let thread = Thread { [unowned self] in self.acceptLoop() }
        self.thread = thread
        thread.start()
    }

    /// The URL of `path` on this server.
    public var base: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Serves `route` at `path` from now on.
    public func set(_ path: String, _ route: Route) {
        lock.lock(); routes[path] = route; lock.unlock()
    }

    /// Requests seen so far: path and Range header.
    public var requests: [(path: String, range: String?)] {
        lock.lock(); defer { lock.unlock() }
        return log
    }

    public func stop() {
        shutdown(socketFD, Int32(SHUT_RDWR))
        close(socketFD)
    }

    private func acceptLoop() {
        while true {
            let client = accept(socketFD, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var request = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.contains(Data("\r\n\r\n".utf8)) {
            let n = read(client, &buffer, buffer.count)
            if n <= 0 { return }
            request.append(contentsOf: buffer[0..<n])
        }
        let lines = String(decoding: request, as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ") ?? []
        let path = parts.count > 1 ? String(parts[1]) : "/"
        let range = lines.first { $0.lowercased().hasPrefix("range:") }.map { String($0.dropFirst(6)).trimmingCharacters(in: .whitespaces) }
        lock.lock()
        log.append((path, range))
        let route = routes[path]
        lock.unlock()
        guard let route else {
            send(client, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", Data())
            return
        }
        let extra = route.headers.map { "\($0.key): \($0.value)\r\n" }.joined()
        if let location = route.redirect {
            send(client, "HTTP/1.1 302 Found\r\nLocation: \(location.absoluteString)\r\n\(extra)Content-Length: 0\r\nConnection: close\r\n\r\n", Data())
            return
        }
        var start = 0
        if route.ranges, let range, range.hasPrefix("bytes="), let from = Int(range.dropFirst(6).split(separator: "-").first ?? "") {
            start = from
        }
        guard start <= route.body.count else {
            send(client, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", Data())
            return
        }
        let body = route.body.subdata(in: start..<route.body.count)
        let status = start > 0 ? "206 Partial Content" : "200 OK"
        var head = "HTTP/1.1 \(status)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n" + extra
        if start > 0 { head += "Content-Range: bytes \(start)-\(route.body.count - 1)/\(route.body.count)\r\n" }
        send(client, head + "\r\n", route.cutAfter.map { body.prefix($0) } ?? body)
    }

    private func send(_ client: Int32, _ head: String, _ body: Data) {
        var all = Data(head.utf8)
        all.append(body)
        all.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(client, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
