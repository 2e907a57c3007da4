import Foundation

/// A thread's scheduling as the kernel reports it in `/proc/.../stat`: its nice value and policy.
public struct ThreadScheduling: Equatable, Sendable, CustomStringConvertible {
    /// The nice value (field 19): 19 for a background thread.
    public var nice: Int
    /// The scheduling policy (field 41): 0 SCHED_OTHER, 5 SCHED_IDLE.
    public var policy: Int

    /// `SCHED_IDLE`.
    public static let idlePolicy = 5

    /// Whether this is what a background thread runs at: nice 19 and SCHED_IDLE.
    public var isBackground: Bool { nice == 19 && policy == Self.idlePolicy }

    public var description: String { "nice \(nice), policy \(policy)" }

    /// The calling thread's (`/proc/thread-self/stat`).
    public static func current() -> ThreadScheduling? { read("/proc/thread-self/stat") }

    /// The thread `tid` of this process (`/proc/self/task/TID/stat`); nil once it has ended.
    public static func of(tid: Int32) -> ThreadScheduling? { read("/proc/self/task/\(tid)/stat") }

    /// Thread ids and names (`comm`) of every thread of process `pid` (`/proc/PID/task`).
    public static func threads(ofProcess pid: Int32) -> [(tid: Int32, name: String)] {
        let folder = "/proc/\(pid)/task"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return entries.compactMap { entry in
            guard let tid = Int32(entry),
                  let comm = try? String(contentsOfFile: "\(folder)/\(entry)/comm", encoding: .utf8) else { return nil }
            return (tid, comm.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Thread `tid` of process `pid`.
    public static func of(pid: Int32, tid: Int32) -> ThreadScheduling? { read("/proc/\(pid)/task/\(tid)/stat") }

    static func read(_ path: String) -> ThreadScheduling? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after "pid (comm)" start at field 3 (state).
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 38, let nice = Int(fields[19 - 3]), let policy = Int(fields[41 - 3]) else { return nil }
        return ThreadScheduling(nice: nice, policy: policy)
    }
}
