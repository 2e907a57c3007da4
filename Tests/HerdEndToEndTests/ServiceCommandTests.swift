import Foundation
import XCTest

/// `herd service` against a temporary config folder and a stand-in systemctl that records its calls.
final class ServiceCommandTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("herd-service-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// A systemctl that appends its arguments to a log and exits with `status`.
    func fakeSystemctl(status: Int = 0) throws -> (path: String, log: String) {
        let log = root.appendingPathComponent("systemctl.log").path
        let script = root.appendingPathComponent("systemctl").path
        try "#!/bin/sh\necho \"$*\" >> '\(log)'\necho enabled\nexit \(status)\n".write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        return (script, log)
    }

    func testShippedUnitIsTheGeneratedOne() throws {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../systemd/herd.service")
        let result = try HerdBinary.run(["service", "unit", "--generic"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, try String(contentsOf: shipped, encoding: .utf8),
                       "regenerate with: herd service unit --generic > systemd/herd.service")
    }

    func testUnitPassesSystemdAnalyzeVerify() throws {
        let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let analyze else { throw XCTSkip("systemd-analyze is not installed (scripts/test.sh installs it)") }
        // The unit as installed: ExecStart points at this build's binary, which must exist for verify.
        let unit = try HerdBinary.run(["service", "unit"]).stdout
        XCTAssertTrue(unit.contains("ExecStart=\(HerdBinary.url.resolvingSymlinksInPath().path) run"), unit)
        let file = root.appendingPathComponent("herd.service")
        try unit.write(to: file, atomically: true, encoding: .utf8)
        let runtime = root.appendingPathComponent("runtime")
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyze)
        process.arguments = ["--user", "verify", file.path]
        process.environment = ["XDG_RUNTIME_DIR": runtime.path, "PATH": "/usr/bin:/bin", "HOME": root.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, output)
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "", "verify reported: \(output)")
    }

    func testInstallWritesTheUnitReloadsAndEnables() throws {
        let (systemctl, log) = try fakeSystemctl()
        let env = ["XDG_CONFIG_HOME": root.path, "HERD_SYSTEMCTL": systemctl]
        let install = try HerdBinary.run(["service", "install"], environment: env)
        XCTAssertEqual(install.status, 0, install.stderr)
        let unit = try String(contentsOfFile: root.path + "/systemd/user/herd.service", encoding: .utf8)
        XCTAssertTrue(unit.contains("Type=notify"))
        XCTAssertTrue(install.stdout.contains("loginctl enable-linger"), install.stdout)
        let calls = try String(contentsOfFile: log, encoding: .utf8)
        XCTAssertEqual(calls, "--user daemon-reload\n--user enable --now herd.service\n")

        let status = try HerdBinary.run(["service", "status", "--json"], environment: env)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["installed"] as? Bool, true)

        let uninstall = try HerdBinary.run(["service", "uninstall"], environment: env)
        XCTAssertEqual(uninstall.status, 0, uninstall.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.path + "/systemd/user/herd.service"))
    }

    func testInstallWithoutAUserSystemdKeepsTheUnitAndSaysWhatToDo() throws {
        let (systemctl, _) = try fakeSystemctl(status: 1)
        let result = try HerdBinary.run(["service", "install"], environment: ["XDG_CONFIG_HOME": root.path, "HERD_SYSTEMCTL": systemctl])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("systemctl --user daemon-reload"), result.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.path + "/systemd/user/herd.service"))
    }
}
