import Foundation
import TOMLKit

extension HerdConfiguration {
    /// Reads and validates the configuration file at `path`.
    public static func load(from path: String) throws -> HerdConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            if !FileManager.default.fileExists(atPath: path) {
                throw DaemonError(.configuration, path: path, "no configuration file; create one with `herd init LIBRARY... --output DIR`")
            }
            throw DaemonError(.configuration, path: path, "cannot read the configuration: \(error.localizedDescription)")
        }
        let configuration: HerdConfiguration
        do {
            configuration = try TOMLDecoder().decode(HerdConfiguration.self, from: text)
        } catch let error as TOMLParseError {
            throw DaemonError(
                .configuration, path: path,
                "not valid TOML at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        } catch {
            throw DaemonError(.configuration, path: path, "invalid configuration: \(Self.describe(error)); fix it or run `herd init` again")
        }
        return configuration
    }

    /// The TOML text of this configuration.
    public func tomlText() throws -> String {
        let header = "# herd configuration: written by `herd init`; edit and send the daemon SIGHUP to reload.\n"
        return header + (try TOMLEncoder().encode(self)) + "\n"
    }

    /// Writes the configuration to `path` atomically (temporary file, fsync, rename).
    public func write(to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DaemonError(.configuration, path: directory, "cannot create the configuration folder: \(error.localizedDescription)")
        }
        try Syscall.writeAtomically(Data(try tomlText().utf8), to: path)
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing key `\(key.stringValue)`"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "wrong type for `\(key)`: \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}
