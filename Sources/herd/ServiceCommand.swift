import ArgumentParser
import Foundation

/// `herd service install|uninstall|status`: herd as a systemd user service.
struct Service: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Install, remove or check herd's systemd user service.",
        subcommands: [ServiceInstall.self, ServiceUninstall.self, ServiceStatus.self, ServiceShowUnit.self]
    )
}

/// Where the unit goes and how systemctl is reached; both overridable for tests.
struct ServicePaths {
    /// `$XDG_CONFIG_HOME/systemd/user/herd.service`.
    var unitFile: String
    /// The systemctl binary (`HERD_SYSTEMCTL` overrides it).
    var systemctl: String

    static func current() -> ServicePaths {
        let env = ProcessInfo.processInfo.environment
        let config = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() + "/.config")
        return ServicePaths(unitFile: config + "/systemd/user/herd.service",
                            systemctl: env["HERD_SYSTEMCTL"] ?? "systemctl")
    }

    /// Runs `systemctl --user ARGS`; returns its status and combined output.
    func systemctl(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [systemctl, "--user"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return (127, "cannot run \(systemctl): \(error.localizedDescription)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// The path of the running binary, which the installed unit starts.
func runningBinaryPath() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}

struct ServiceShowUnit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unit",
        abstract: "Print the unit `herd service install` would write."
    )

    @Flag(help: "Print the generic unit (binary at ~/.local/bin/herd), as shipped in systemd/herd.service.")
    var generic = false

    func run() {
        print(generic ? ServiceUnit().text : ServiceUnit(executable: runningBinaryPath()).text, terminator: "")
    }
}

struct ServiceInstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Write the user unit, reload systemd, and enable and start herd."
    )

    @Flag(help: "Write the unit and reload systemd, but do not enable or start it.")
    var noStart = false

    func run() throws {
        let paths = ServicePaths.current()
        let binary = runningBinaryPath()
        let unit = ServiceUnit(executable: binary)
        let directory = (paths.unitFile as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try unit.text.write(toFile: paths.unitFile, atomically: true, encoding: .utf8)
        } catch {
            throw ServiceError("cannot write \(paths.unitFile): \(error.localizedDescription)")
        }
        print("wrote \(paths.unitFile) (runs \(binary) run)")
        var steps = [["daemon-reload"]]
        if !noStart { steps.append(["enable", "--now", "herd.service"]) }
        for step in steps {
            let (status, output) = paths.systemctl(step)
            guard status == 0 else {
                throw PartialFailure(message: """
                    herd service install: `systemctl --user \(step.joined(separator: " "))` failed (\(status)): \(output)
                    The unit file is in place; once a user systemd instance is running (log in to a desktop \
                    or SSH session), run: systemctl --user daemon-reload && systemctl --user enable --now herd.service
                    """)
            }
        }
        print(noStart ? "systemd reloaded; start herd with: systemctl --user enable --now herd.service"
                      : "herd is enabled and started: follow it with `journalctl --user -u herd -f`")
        print("To keep herd running while you are logged out, run once: loginctl enable-linger \(NSUserName())")
    }
}

struct ServiceUninstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Stop and disable herd's user service and remove its unit."
    )

    func run() throws {
        let paths = ServicePaths.current()
        guard FileManager.default.fileExists(atPath: paths.unitFile) else {
            print("herd's unit is not installed (\(paths.unitFile) does not exist); nothing to do")
            return
        }
        let (status, output) = paths.systemctl(["disable", "--now", "herd.service"])
        do {
            try FileManager.default.removeItem(atPath: paths.unitFile)
        } catch {
            throw ServiceError("cannot remove \(paths.unitFile): \(error.localizedDescription)")
        }
        print("removed \(paths.unitFile)")
        _ = paths.systemctl(["daemon-reload"])
        if status != 0 {
            throw PartialFailure(message: "herd service uninstall: `systemctl --user disable --now herd.service` failed (\(status)): \(output)")
        }
    }
}

struct ServiceStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Say whether herd's user unit is installed, enabled and running."
    )

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        let paths = ServicePaths.current()
        let installed = FileManager.default.fileExists(atPath: paths.unitFile)
        let enabled = paths.systemctl(["is-enabled", "herd.service"]).output
        let active = paths.systemctl(["is-active", "herd.service"]).output
        if json {
            let object: [String: Any] = ["unit_file": paths.unitFile, "installed": installed,
                                         "enabled": enabled, "active": active]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("unit file  \(paths.unitFile) (\(installed ? "installed" : "not installed"))")
            print("enabled    \(enabled.isEmpty ? "unknown" : enabled)")
            print("active     \(active.isEmpty ? "unknown" : active)")
        }
    }
}

/// A failure of the service commands, with what to do about it.
struct ServiceError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
