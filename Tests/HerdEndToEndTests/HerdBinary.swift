import Foundation
import HerdTestSupport
import XCTest

/// Runs the built `herd` binary as a user would and captures what it prints.
struct HerdBinary {
    /// The binary beside the test bundle in the build folder.
    static let url: URL = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("herd")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
        return root.appendingPathComponent(".build/debug/herd")
    }()

    /// The committed test data, `Tests/Data` (see `SharedData`).
    static let sharedData = SharedData.path

    /// What one run printed and how it ended.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// A `Process` for `herd arguments…` with `environment`, not yet started.
    static func process(_ arguments: [String], environment: [String: String]) -> Process {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.environment = environment
        return process
    }

    /// Runs `herd arguments…` to completion with `base` (this process's environment unless given) plus
    /// `environment`; stdin is empty.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], base: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Result {
        let process = process(arguments, environment: base.merging(environment) { $1 })
        // Output goes to files, so neither stream can fill up and block the child.
        let dir = FileManager.default.temporaryDirectory
        let outURL = dir.appendingPathComponent("herd-out-\(UUID().uuidString)")
        let errURL = dir.appendingPathComponent("herd-err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        let outData = try Data(contentsOf: outURL), errData = try Data(contentsOf: errURL)
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
