import Foundation
import XCTest

/// Runs the built `herd` binary: embed, model import/list, doctor, and their exit codes.
final class EncoderCommandTests: XCTestCase {
    var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("herd-e2e-encoder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: work)
    }

    /// The tiny DINO v1 fixture of the encoder tests.
    var fixture: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("EncoderTests/Fixtures/tiny-v1")
    }

    /// Runs herd with `arguments`; returns exit status, stdout and stderr.
    func herd(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        // The test bundle sits in the build products folder (Linux: Bundle(for:) is that folder).
        let bundle = Bundle(for: Self.self).bundleURL
        let folder = bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
        let binary = folder.appendingPathComponent("herd")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HERD_MODELS_DIR"] = work.appendingPathComponent("models").path
        environment["OPENBLAS_CORETYPE"] = nil
        environment.merge(extra) { $1 }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// Float32 payload of a .npy file written by herd (v1.0 header).
    func floats(_ path: String) throws -> [Float] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        return data.dropFirst(10 + headerLength).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    func testEmbedTensorWritesReferenceFeatures() throws {
        let out = work.appendingPathComponent("features.npy").path
        let run = try herd(["embed", "--tensor", fixture.appendingPathComponent("native-input.npy").path,
                            "--model", fixture.appendingPathComponent("model.safetensors").path, "--npy", out, "--threads", "2"])
        XCTAssertEqual(run.status, 0, run.err)
        let got = try floats(out), expected = try floats(fixture.appendingPathComponent("native-expected.npy").path)
        XCTAssertEqual(got.count, expected.count)
        for (a, b) in zip(got, expected) { XCTAssertEqual(a, b, accuracy: 1e-4) }
    }

    func testImportListAndEmbedByName() throws {
        let imported = try herd(["model", "import", fixture.appendingPathComponent("model.safetensors").path, "--name", "tiny"])
        XCTAssertEqual(imported.status, 0, imported.err)
        XCTAssertTrue(imported.out.contains("installed tiny"), imported.out)
        let list = try herd(["model", "list", "--json", "--verbose"])
        XCTAssertEqual(list.status, 0, list.err)
        XCTAssertTrue(list.out.contains("\"name\":\"tiny\""), list.out)
        let embed = try herd(["embed", "--tensor", fixture.appendingPathComponent("native-input.npy").path, "--model", "tiny", "--json", "--normalize"])
        XCTAssertEqual(embed.status, 0, embed.err)
        let object = try JSONSerialization.jsonObject(with: Data(embed.out.utf8)) as? [String: Any]
        XCTAssertEqual(object?["dimension"] as? Int, 32)
        XCTAssertEqual((object?["items"] as? [Any])?.count, 3)
    }

    func testBadModelFileFailsWithOneClearLine() throws {
        let source = try Data(contentsOf: fixture.appendingPathComponent("model.safetensors"))
        let cut = work.appendingPathComponent("cut.safetensors")
        try source.prefix(source.count - 100).write(to: cut)
        let run = try herd(["model", "import", cut.path, "--name", "cut"])
        XCTAssertEqual(run.status, 3)
        XCTAssertTrue(run.err.hasPrefix("herd: \(cut.path): truncated"), run.err)
        XCTAssertEqual(run.err.split(separator: "\n").count, 1, run.err)
    }

    func testMissingModelSaysHowToFetchIt() throws {
        let run = try herd(["embed", "--tensor", fixture.appendingPathComponent("native-input.npy").path, "--model", "dinov2-small"])
        XCTAssertEqual(run.status, 3)
        XCTAssertTrue(run.err.contains("herd model fetch dinov2-small"), run.err)
    }

    func testUsageErrorsExitWithTwo() throws {
        XCTAssertEqual(try herd(["embed"]).status, 2)
        XCTAssertEqual(try herd(["embed", "--tensor", "x.npy", "--batch", "0"]).status, 2)
    }

    func testFallbackBLASCoreRestartsOnceWithCoreType() throws {
        let run = try herd(["doctor"], environment: ["HERD_TEST_BLAS_CORE": "Prescott"])
        XCTAssertEqual(run.status, 0, run.err)
        if run.out.contains("AVX-512F") {
            XCTAssertTrue(run.out.contains("OPENBLAS_CORETYPE=SkylakeX (set by herd's restart)"), run.out)
            XCTAssertTrue(run.out.contains("BLAS core:    SkylakeX"), run.out)
        } else if run.out.contains("AVX2+FMA") {
            XCTAssertTrue(run.out.contains("OPENBLAS_CORETYPE=Haswell (set by herd's restart)"), run.out)
        } else {
            XCTAssertFalse(run.out.contains("set by herd's restart"), run.out)
        }
    }

    func testDoctorReportsBLAS() throws {
        let run = try herd(["doctor"])
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertTrue(run.out.contains("BLAS core:"), run.out)
        XCTAssertTrue(run.out.contains("model store:"), run.out)
    }
}
