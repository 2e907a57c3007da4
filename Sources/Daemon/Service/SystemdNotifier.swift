import Foundation
import Glibc

/// The sd_notify datagram protocol, spoken directly (no libsystemd): `READY=1`, `STATUS=…`, `WATCHDOG=1`,
/// `STOPPING=1` as datagrams to `$NOTIFY_SOCKET` (a path, or `@name` in the abstract namespace).
public struct SystemdNotifier: Sendable {
    /// The socket, when started by systemd with `Type=notify`.
    public var socketPath: String?
    /// How often to send `WATCHDOG=1` (half of `$WATCHDOG_USEC`), when the watchdog is on for this process.
    public var watchdogInterval: Duration?

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment`.
    public init(environment: [String: String], pid: Int32 = getpid()) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        if let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0,
            environment["WATCHDOG_PID"].map({ Int32($0) == pid }) ?? true
        {
            watchdogInterval = .microseconds(Int64(usec / 2))
        }
    }

    /// True when there is a socket to talk to.
    public var isEnabled: Bool { socketPath != nil }

    /// Sends one datagram; throws a `DaemonError` naming the failed call.
    public func send(_ message: String) throws {
        guard let socketPath else { return }
        let fd = try Syscall.call("socket", path: socketPath) { socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        let descriptor = FileDescriptor(fd)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        let abstract = pathBytes.first == UInt8(ascii: "@")
        if abstract { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else {
            throw DaemonError(.system, path: socketPath, "NOTIFY_SOCKET path is longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        // An abstract address is exactly as long as its name; a path one carries its terminating NUL.
        let length = socklen_t(pathOffset + pathBytes.count + (abstract ? 0 : 1))
        let bytes = Array(message.utf8)
        try Syscall.call("sendto", path: socketPath) {
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    sendto(descriptor.fd, bytes, bytes.count, Int32(MSG_NOSIGNAL), sa, length)
                }
            }
        }
    }
}
