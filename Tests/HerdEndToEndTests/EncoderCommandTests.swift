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

    /// Runs herd with `arguments`, its models in `work` and no inherited BLAS core override.
    func herd(_ arguments: [String], environment extra: [String: String] = [:]) throws -> HerdBinary.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["HERD_MODELS_DIR"] = work.appendingPathComponent("models").path
        environment["OPENBLAS_CORETYPE"] = nil
        return try HerdBinary.run(arguments, environment: extra, base: environment)
    }

    /// Float32 payload of a .npy file written by herd (v1.0 header).
    func floats(_ path: String) throws -> [Float] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        return data.dropFirst(10 + headerLength).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    /// Features of the fixture's input from `herd embed` with `options` (rows of 32).
    func embedFixture(_ options: [String], environment: [String: String] = [:]) throws -> (HerdBinary.Result, [Float]) {
        let out = work.appendingPathComponent("features-\(UUID().uuidString).npy").path
        let run = try herd(["embed", "--tensor", fixture.appendingPathComponent("native-input.npy").path,
                            "--model", fixture.appendingPathComponent("model.safetensors").path, "--npy", out, "--threads", "2"] + options,
                           environment: environment)
        return (run, run.status == 0 ? try floats(out) : [])
    }

    var expected: [Float] { get throws { try floats(fixture.appendingPathComponent("native-expected.npy").path) } }

    /// Smallest cosine between matching 32-float rows.
    func minCosine(_ a: [Float], _ b: [Float]) -> Double {
        stride(from: 0, to: a.count, by: 32).map { start in
            var dot = 0.0, aa = 0.0, bb = 0.0
            for i in start..<(start + 32) {
                dot += Double(a[i]) * Double(b[i]); aa += Double(a[i] * a[i]); bb += Double(b[i] * b[i])
            }
            return dot / (aa * bb).squareRoot()
        }.min() ?? 0
    }

    func testEmbedTensorWritesReferenceFeatures() throws {
        let (run, got) = try embedFixture(["--precision", "fp32"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let expected = try self.expected
        XCTAssertEqual(got.count, expected.count)
        for (a, b) in zip(got, expected) { XCTAssertEqual(a, b, accuracy: 1e-4) }
    }

    func testEmbedInBF16StaysCloseToTheReference() throws {
        let doctor = try herd(["doctor"])
        try XCTSkipUnless(doctor.stdout.contains("AVX512_BF16"), "this CPU has no AVX512_BF16")
        for options in [["--precision", "bf16"], []] {  // auto picks bf16 here
            let (run, got) = try embedFixture(options)
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertGreaterThan(minCosine(got, try expected), 0.999, "\(options)")
        }
    }

    func testWithoutBF16AutoRunsFP32AndExplicitBF16FailsSayingWhatToUse() throws {
        let (auto, got) = try embedFixture([], environment: ["HERD_TEST_NO_BF16": "1"])
        XCTAssertEqual(auto.status, 0, auto.stderr)
        for (a, b) in zip(got, try expected) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        let (explicit, _) = try embedFixture(["--precision", "bf16"], environment: ["HERD_TEST_NO_BF16": "1"])
        XCTAssertNotEqual(explicit.status, 0)
        XCTAssertTrue(explicit.stderr.contains("AVX512_BF16") && explicit.stderr.contains("--precision auto"), explicit.stderr)
        let doctor = try herd(["doctor"], environment: ["HERD_TEST_NO_BF16": "1", "HERD_PRECISION": "auto"])
        XCTAssertTrue(doctor.stdout.contains("ingest runs fp32 (auto, and this CPU has no AVX512_BF16)"), doctor.stdout)
    }

    func testEmbedThroughOneDNNStaysCloseToTheReference() throws {
        let (run, got) = try embedFixture(["--precision", "bf16-onednn"])
        try XCTSkipIf(run.status != 0 && run.stderr.contains("no implementation on this CPU"), "oneDNN has no bf16 matmul here")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertGreaterThan(minCosine(got, try expected), 0.999)
    }

    /// Under the service unit's memory protection (MemoryDenyWriteExecute, here its prctl form)
    /// oneDNN cannot generate its kernels: auto still embeds (without oneDNN), an explicit
    /// bf16-onednn fails saying why, and doctor says so.
    func testUnderDenyWriteExecuteAutoRunsAndOneDNNFailsSayingWhy() throws {
        let deny = ["HERD_TEST_DENY_WRITE_EXECUTE": "1"]
        let (auto, got) = try embedFixture([], environment: deny)
        try XCTSkipIf(auto.stderr.contains("no PR_SET_MDWE"), "this kernel has no PR_SET_MDWE (Linux < 6.3)")
        XCTAssertEqual(auto.status, 0, auto.stderr)
        XCTAssertGreaterThan(minCosine(got, try expected), 0.999)
        let (explicit, _) = try embedFixture(["--precision", "bf16-onednn"], environment: deny)
        XCTAssertNotEqual(explicit.status, 0)
        // A CPU where oneDNN has no bf16 matmul at all says so before any code is generated.
        if !explicit.stderr.contains("no implementation on this CPU") {
            XCTAssertTrue(explicit.stderr.contains("MemoryDenyWriteExecute") && explicit.stderr.contains("--precision auto"), explicit.stderr)
        }
        let doctor = try herd(["doctor", "--measure", "--model", fixture.appendingPathComponent("model.safetensors").path], environment: deny)
        XCTAssertEqual(doctor.status, 0, doctor.stderr)
        XCTAssertTrue(doctor.stdout.contains("JIT code:     forbidden"), doctor.stdout)
        if doctor.stdout.contains("AVX512_BF16") {
            XCTAssertTrue(doctor.stdout.contains("bf16-onednn") && doctor.stdout.contains("not eligible: could not run"), doctor.stdout)
        }
    }

    /// A CPU where oneDNN has no bf16 matmul (here oneDNN limited to AVX2): auto embeds without it,
    /// explicit bf16-onednn fails saying so, nothing crashes.
    func testWithoutOneDNNBF16AutoFallsBackCleanly() throws {
        let avx2 = ["ONEDNN_MAX_CPU_ISA": "AVX2"]
        let (auto, got) = try embedFixture([], environment: avx2)
        XCTAssertEqual(auto.status, 0, auto.stderr)
        XCTAssertGreaterThan(minCosine(got, try expected), 0.999)
        let (explicit, _) = try embedFixture(["--precision", "bf16-onednn"], environment: avx2)
        XCTAssertNotEqual(explicit.status, 0)
        XCTAssertTrue(explicit.stderr.contains("no implementation on this CPU"), explicit.stderr)
    }

    func testDoctorMeasuresAuto() throws {
        let run = try herd(["doctor", "--measure", "--model", fixture.appendingPathComponent("model.safetensors").path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("oneDNN:       2."), run.stdout)
        XCTAssertTrue(run.stdout.contains("AMX:          "), run.stdout)
        XCTAssertTrue(run.stdout.contains("auto chose "), run.stdout)
        if run.stdout.contains("AVX512_BF16") {  // elsewhere auto takes fp32 without measuring
            XCTAssertTrue(run.stdout.contains("  fp32 ") && run.stdout.contains("  bf16 "), run.stdout)
        }
    }

    func testImportListAndEmbedByName() throws {
        let imported = try herd(["model", "import", fixture.appendingPathComponent("model.safetensors").path, "--name", "tiny"])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertTrue(imported.stdout.contains("installed tiny"), imported.stdout)
        let list = try herd(["model", "list", "--json", "--verbose"])
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.contains("\"name\":\"tiny\""), list.stdout)
        let embed = try herd(["embed", "--tensor", fixture.appendingPathComponent("native-input.npy").path, "--model", "tiny", "--json", "--normalize"])
        XCTAssertEqual(embed.status, 0, embed.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(embed.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(object?["dimension"] as? Int, 32)
        XCTAssertEqual((object?["items"] as? [Any])?.count, 3)
    }

    func testBadModelFileFailsWithOneClearLine() throws {
        let source = try Data(contentsOf: fixture.appendingPathComponent("model.safetensors"))
        let cut = work.appendingPathComponent("cut.safetensors")
        try source.prefix(source.count - 100).write(to: cut)
        let run = try herd(["model", "import", cut.path, "--name", "cut"])
        XCTAssertEqual(run.status, 3)
        XCTAssertTrue(run.stderr.hasPrefix("herd: \(cut.path): truncated"), run.stderr)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
    }

    func testMissingModelSaysHowToFetchIt() throws {
        let run = try herd(["embed", "--tensor", fixture.appendingPathComponent("native-input.npy").path, "--model", "dinov2-small"])
        XCTAssertEqual(run.status, 3)
        XCTAssertTrue(run.stderr.contains("herd model fetch dinov2-small"), run.stderr)
    }

    func testUsageErrorsExitWithTwo() throws {
        XCTAssertEqual(try herd(["embed"]).status, 2)
        XCTAssertEqual(try herd(["embed", "--tensor", "x.npy", "--batch", "0"]).status, 2)
    }

    func testFallbackBLASCoreRestartsOnceWithCoreType() throws {
        let run = try herd(["doctor"], environment: ["HERD_TEST_BLAS_CORE": "Prescott"])
        XCTAssertEqual(run.status, 0, run.stderr)
        if run.stdout.contains("AVX-512F") {
            XCTAssertTrue(run.stdout.contains("OPENBLAS_CORETYPE=SkylakeX (set by herd's restart)"), run.stdout)
            XCTAssertTrue(run.stdout.contains("BLAS core:    SkylakeX"), run.stdout)
        } else if run.stdout.contains("AVX2+FMA") {
            XCTAssertTrue(run.stdout.contains("OPENBLAS_CORETYPE=Haswell (set by herd's restart)"), run.stdout)
        } else {
            XCTAssertFalse(run.stdout.contains("set by herd's restart"), run.stdout)
        }
    }

    func testDoctorReportsBLAS() throws {
        let run = try herd(["doctor"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("BLAS core:"), run.stdout)
        XCTAssertTrue(run.stdout.contains("model store:"), run.stdout)
        XCTAssertTrue(run.stdout.contains("precision:    ingest runs "), run.stdout)
    }
}
