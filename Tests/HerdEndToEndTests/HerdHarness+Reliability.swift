import Foundation
import XCTest

/// What the reliability tests read back as a user would: links in the output, the daemon's health in
/// `herd status --json`, and the memory high-water mark of the daemon process.
extension HerdHarness {
    /// Every symlink under the output folder → the absolute path it points to.
    func links() -> [String: String] {
        var out: [String: String] = [:]
        let fm = FileManager.default
        for folder in (try? fm.contentsOfDirectory(atPath: output)) ?? [] where !folder.hasPrefix(".") {
            for name in (try? fm.contentsOfDirectory(atPath: output + "/" + folder)) ?? [] {
                let path = output + "/" + folder + "/" + name
                guard let target = try? fm.destinationOfSymbolicLink(atPath: path) else { continue }
                out[path] = target.hasPrefix("/") ? target : URL(fileURLWithPath: output + "/" + folder + "/" + target).standardized.path
            }
        }
        return out
    }

    /// `daemon.health` from `herd status --json` (empty when all is well or no daemon runs).
    func health() throws -> [String: Any] {
        ((try status()["daemon"] as? [String: Any])?["health"] as? [String: Any]) ?? [:]
    }

    /// The paths `herd status --json` lists as unavailable libraries, with their reasons.
    func unavailableLibraries() throws -> [String: String] {
        let list = (try health()["unavailableLibraries"] as? [[String: Any]]) ?? []
        return Dictionary(uniqueKeysWithValues: list.map { ($0["path"] as? String ?? "", $0["reason"] as? String ?? "") })
    }

    /// The peak resident set (VmHWM, in KiB) of a running process, from /proc.
    static func peakResidentKiB(of pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "")
        }
        return nil
    }

    /// Starts `herd ARGS` as a user without the power to read other users' files: as root, through
    /// `setpriv` with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped, so a mode-000 file really cannot be read.
    func startUnprivileged(_ arguments: [String]) throws -> Process {
        guard getuid() == 0 else { return try start(arguments) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--bounding-set=-dac_override,-dac_read_search", "--", HerdBinary.url.path] + arguments
        process.environment = environment
        return try launch(process)
    }

    /// Stops a daemon with SIGTERM and waits for it.
    func stop(_ daemon: Process) {
        if daemon.isRunning { daemon.terminate() }
        daemon.waitUntilExit()
    }
}

/// Raw-byte file names, which a Swift `String` cannot hold when they are not UTF-8.
enum RawName {
    /// Writes `contents` to `folder/NAME` where NAME is the raw bytes `name`.
    static func write(_ contents: Data, in folder: String, name: [UInt8]) throws {
        let path = Array(folder.utf8) + [UInt8(ascii: "/")] + name + [0]
        let fd = path.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: path.count) { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        }
        guard fd >= 0 else { throw HarnessError(message: "cannot create a raw-named file in \(folder): errno \(errno)") }
        defer { close(fd) }
        let written = contents.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == contents.count else { throw HarnessError(message: "short write in \(folder)") }
    }

    /// The raw names in `folder`.
    static func entries(_ folder: String) -> [[UInt8]] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != Array(".".utf8) && name != Array("..".utf8) { names.append(name) }
        }
        return names
    }

    /// The bytes of the file at the raw path `path` (following symlinks).
    static func read(_ path: [UInt8]) -> Data? {
        let terminated = path + [0]
        let fd = terminated.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: terminated.count) { open($0, O_RDONLY) }
        }
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0 ..< n])
        }
        return data
    }
}
