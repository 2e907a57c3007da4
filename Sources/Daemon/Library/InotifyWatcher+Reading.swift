import Foundation
import Glibc
import Synchronization

extension InotifyWatcher {
    /// The reader thread: poll both descriptors, decode `inotify_event` records, yield one batch per read.
    static func readLoop(
        fd: Int32, wakeFD: Int32, state: WatchState, continuation: AsyncStream<[FileEvent]>.Continuation
    ) {
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
        defer {
            buffer.deallocate()
            continuation.finish()
            state.withLock { $0.readerDone = true }
        }
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[1].revents != 0 { return }
            guard fds[0].revents != 0 else { continue }
            let n = read(fd, buffer.baseAddress, capacity)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            let events = decode(UnsafeRawBufferPointer(rebasing: buffer[0 ..< n]), state: state)
            if !events.isEmpty { continuation.yield(events) }
        }
    }

    /// Decodes a run of `inotify_event` records: `{ int wd; uint32 mask, cookie, len; char name[len]; }`.
    static func decode(_ bytes: UnsafeRawBufferPointer, state: WatchState) -> [FileEvent] {
        var events: [FileEvent] = []
        var offset = 0
        let header = MemoryLayout<inotify_event>.size
        while offset + header <= bytes.count {
            let wd = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            var name = ""
            if length > 0, offset + header + length <= bytes.count {
                let raw = bytes[(offset + header) ..< (offset + header + length)]
                name = RawPath.string(fromBytes: raw.prefix { $0 != 0 })
            }
            offset += header + length
            if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                events.append(.overflow)
                continue
            }
            let directory: String? = state.withLock { table in
                if mask & UInt32(IN_IGNORED) != 0 {
                    table.paths[wd] = nil
                    return nil
                }
                return table.paths[wd]
            }
            guard let directory else { continue }
            if name.isEmpty {
                // The watched folder itself was deleted or moved: its parent reports the name; look again anyway.
                if mask & (UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF) | UInt32(IN_UNMOUNT)) != 0 {
                    events.append(.changed(directory))
                }
                continue
            }
            events.append(.changed(directory == "/" ? "/" + name : directory + "/" + name))
        }
        return events
    }
}
