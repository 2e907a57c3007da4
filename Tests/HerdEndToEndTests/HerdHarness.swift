import Foundation
import XCTest

/// Runs the built `herd` binary against a temporary library, with every XDG path inside a temporary folder.
struct HerdHarness {
    let root: String
    let library: String
    let output: String
    var environment: [String: String]

    /// Whether an entry of the output folder is a herd's folder: not the hidden marker and journal, not `_duplicates`
    /// or `_overview`, not `index.html`.
    static func isHerdFolder(_ name: String) -> Bool {
        !name.hasPrefix(".") && !name.hasPrefix("_") && name != "index.html"
    }

    /// Every clothing photo, sorted (240 real JPEGs).
    static func clothingPhotos() throws -> [String] {
        let base = HerdBinary.sharedData + "/photos/clothing"
        return try FileManager.default.contentsOfDirectory(atPath: base).sorted().flatMap { category -> [String] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: base + "/" + category, isDirectory: &isDirectory), isDirectory.boolValue else { return [] }
            return try FileManager.default.contentsOfDirectory(atPath: base + "/" + category).sorted().map { base + "/\(category)/" + $0 }
        }
    }

    init(extraEnvironment: [String: String] = [:]) throws {
        let base = FileManager.default.temporaryDirectory.path + "/herd-e2e-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: base + "/Pictures", withIntermediateDirectories: true)
        root = base
        library = base + "/Pictures"
        output = base + "/herds"
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HERD_") && !$0.key.hasPrefix("XDG_") && $0.key != "NOTIFY_SOCKET" }
        env["XDG_CONFIG_HOME"] = base + "/config"
        env["XDG_DATA_HOME"] = base + "/data"
        env["XDG_CACHE_HOME"] = base + "/cache"
        env["HERD_DEBOUNCE_MS"] = "200"
        env["HERD_LOG_LEVEL"] = "warning"
        // Short head training keeps debug-build tests quick; clustering quality is measured by herd-bench.
        env["HERD_TRAIN_STEPS"] = "100"
        env.merge(extraEnvironment) { $1 }
        environment = env
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// Copies files into `relative` under the library.
    @discardableResult
    func copy(_ files: [String], to relative: String) throws -> [String] {
        let folder = library + "/" + relative
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return try files.map { file in
            let target = folder + "/" + (file as NSString).lastPathComponent
            try FileManager.default.copyItem(atPath: file, toPath: target)
            return target
        }
    }

    /// Runs `herd ARGS` to completion in the harness's environment.
    @discardableResult
    func run(_ arguments: [String]) throws -> HerdBinary.Result {
        try HerdBinary.run(arguments, base: environment)
    }

    /// Starts `herd ARGS` in the background; its stderr goes to `root/daemon.log`.
    func start(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Process {
        try launch(HerdBinary.process(arguments, environment: environment.merging(extra) { $1 }))
    }

    /// Runs `process` in the background with its stderr appended to `root/daemon.log`.
    func launch(_ process: Process) throws -> Process {
        let log = root + "/daemon.log"
        if !FileManager.default.fileExists(atPath: log) { FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// `herd init` for the library with the test-seam model.
    func initialise() throws {
        let result = try run(["init", library, "--output", output, "--model", "byte-histogram-64"])
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    /// `herd status --json`, parsed.
    func status() throws -> [String: Any] {
        let result = try run(["status", "--json"])
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw HarnessError(message: "herd status failed (\(result.status)): \(result.stderr)")
        }
        return object
    }

    /// A count from `herd status --json` (`files`, `embedded`, `pending`, `failed`, `features`, `imagesEncoded`).
    func count(_ key: String) throws -> Int {
        ((try status()["counts"] as? [String: Any])?[key] as? Int) ?? -1
    }

    /// `herd files --json ARGS`, as (path, state) pairs.
    func files(_ arguments: [String] = []) throws -> [(path: String, state: String, error: String?)] {
        let result = try run(["files", "--json"] + arguments)
        guard result.status == 0, let list = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] else {
            throw HarnessError(message: "herd files failed (\(result.status)): \(result.stderr)")
        }
        return list.map { ($0["path"] as? String ?? "", $0["state"] as? String ?? "", $0["error"] as? String) }
    }

    /// Polls `condition` every 100 ms until it holds or `timeout` passes; returns whether it held. An error (the
    /// catalogue not created yet) counts as not yet.
    func waitUntil(timeout: TimeInterval = 30, _ condition: () throws -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? condition()) == true { return true }
            usleep(100_000)
        }
        return (try? condition()) == true
    }

    /// The daemon's log so far, for failure messages.
    var daemonLog: String { (try? String(contentsOfFile: root + "/daemon.log", encoding: .utf8)) ?? "" }
}

struct HarnessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
