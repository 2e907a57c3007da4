import Encoder
import Tensor
import XCTest

/// The bf16 encoder path: features close to transformers' fp32 ones, fp32 unchanged, and the
/// precision choice on CPUs with and without AVX512_BF16.
final class PrecisionTests: XCTestCase {
    func requireBF16() throws {
        try XCTSkipUnless(BF16.isSupported, "this CPU has no AVX512_BF16 (or the OS does not save zmm state); bf16 cannot run here")
    }

    func model(_ name: String, threads: Int, precision: Precision) throws -> (VisionTransformer, FixtureModel) {
        let fixture = try FixtureModel(name)
        return (try VisionTransformer(contentsOf: fixture.weightsPath, configPath: fixture.configPath, threads: threads, precision: precision), fixture)
    }

    func testBF16FeaturesAgreeWithTheFP32Reference() throws {
        try requireBF16()
        for (name, input) in [("tiny-v1", "native"), ("tiny-v2", "native"), ("tiny-v2", "interpolated"), ("tiny-v2", "upsampled")] {
            let (vit, fixture) = try model(name, threads: 2, precision: .bf16)
            XCTAssertEqual(vit.precision, .bf16)
            let (pixels, expected) = try fixture.pair(input)
            let (maxAbs, minCosine) = compare(try vit.features(pixels), expected)
            XCTAssertGreaterThan(minCosine, 0.999, "\(name)/\(input): cosine to transformers' fp32 features")
            // bf16 did run: products rounded to 8-bit mantissas move the features off fp32's.
            XCTAssertGreaterThan(maxAbs, 1e-5, "\(name)/\(input): bf16 features equal fp32's")
        }
    }

    func testBF16GivesTheSameFeaturesHoweverTheBatchIsSplit() throws {
        try requireBF16()
        let fixture = try FixtureModel("tiny-v1")
        let (pixels, _) = try fixture.pair("native")
        let (one, _) = try model("tiny-v1", threads: 1, precision: .bf16)
        let reference = try one.features(pixels)
        for threads in [2, 3] {
            for splitsImages in [true, false] {
                let (vit, _) = try model("tiny-v1", threads: threads, precision: .bf16)
                vit.splitsImages = splitsImages
                XCTAssertLessThan(compare(try vit.features(pixels), reference).maxAbs, 1e-5, "threads \(threads), split images \(splitsImages)")
            }
        }
    }

    func testFP32PathIsUntouched() throws {
        let fixture = try FixtureModel("tiny-v2")
        let (pixels, expected) = try fixture.pair("native")
        let plain = try VisionTransformer(contentsOf: fixture.weightsPath, configPath: fixture.configPath, threads: 2)
        let (fp32, _) = try model("tiny-v2", threads: 2, precision: .fp32)
        XCTAssertEqual(plain.precision, .fp32)
        XCTAssertEqual(fp32.precision, .fp32)
        let a = try plain.features(pixels), b = try fp32.features(pixels)
        XCTAssertEqual(a.data, b.data, "fp32 must not change when bf16 exists")
        XCTAssertLessThan(compare(b, expected).maxAbs, 1e-4)
    }

    func testAutoFallsBackToFP32WithoutBF16() throws {
        let fixture = try FixtureModel("tiny-v1")
        let vit = try VisionTransformer(contentsOf: fixture.weightsPath, configPath: fixture.configPath, threads: 1,
                                        precision: .auto, cpuSupportsBF16: false)
        XCTAssertEqual(vit.precision, .fp32)
        let (pixels, expected) = try fixture.pair("native")
        XCTAssertLessThan(compare(try vit.features(pixels), expected).maxAbs, 1e-4)
        XCTAssertNil(vit.selection?.measurements.first { $0.precision != .fp32 }, "auto without bf16 measures fp32 alone")
        XCTAssertEqual(try Precision.auto.resolved(cpuSupportsBF16: true), .auto, "auto is decided by measurement")
        XCTAssertEqual(try Precision.fp32.resolved(cpuSupportsBF16: true), .fp32)
    }

    func testExplicitBF16WithoutTheCPUFeatureSaysWhatToUse() throws {
        let fixture = try FixtureModel("tiny-v1")
        XCTAssertThrowsError(try VisionTransformer(contentsOf: fixture.weightsPath, configPath: fixture.configPath, threads: 1,
                                                   precision: .bf16, cpuSupportsBF16: false)) { error in
            XCTAssertTrue("\(error)".contains("AVX512_BF16"), "\(error)")
            XCTAssertTrue("\(error)".contains("--precision auto"), "\(error)")
        }
    }

    /// The oneDNN model, or a skip naming oneDNN's reason where it makes no bf16 matmul.
    func oneDNNModel(_ name: String, threads: Int) throws -> (VisionTransformer, FixtureModel) {
        do {
            return try model(name, threads: threads, precision: .bf16OneDNN)
        } catch {
            throw XCTSkip("oneDNN has no bf16 matmul here: \(error)")
        }
    }

    func testOneDNNFeaturesAgreeWithTheFP32Reference() throws {
        for (name, input) in [("tiny-v1", "native"), ("tiny-v2", "native"), ("tiny-v2", "interpolated"), ("tiny-v2", "upsampled")] {
            let (vit, fixture) = try oneDNNModel(name, threads: 2)
            XCTAssertEqual(vit.precision, .bf16OneDNN)
            XCTAssertTrue(vit.kernelName.hasPrefix("oneDNN"), vit.kernelName)
            let (pixels, expected) = try fixture.pair(input)
            let (maxAbs, minCosine) = compare(try vit.features(pixels), expected)
            XCTAssertGreaterThan(minCosine, 0.999, "\(name)/\(input): cosine to transformers' fp32 features")
            XCTAssertGreaterThan(maxAbs, 1e-5, "\(name)/\(input): bf16 features equal fp32's")
        }
    }

    func testOneDNNGivesTheSameFeaturesHoweverTheBatchIsSplit() throws {
        let fixture = try FixtureModel("tiny-v1")
        let (pixels, _) = try fixture.pair("native")
        let (one, _) = try oneDNNModel("tiny-v1", threads: 1)
        let reference = try one.features(pixels)
        for threads in [2, 3] {
            for splitsImages in [true, false] {
                let (vit, _) = try oneDNNModel("tiny-v1", threads: threads)
                vit.splitsImages = splitsImages
                XCTAssertLessThan(compare(try vit.features(pixels), reference).maxAbs, 1e-5, "threads \(threads), split images \(splitsImages)")
            }
        }
    }

    /// auto times every path this CPU runs, keeps only those within the parity bound, and runs the
    /// fastest of them.
    func testAutoRunsTheFastestEligiblePathItMeasured() throws {
        try requireBF16()
        let fixture = try FixtureModel("tiny-v2")
        let vit = try VisionTransformer(contentsOf: fixture.weightsPath, configPath: fixture.configPath, threads: 2, precision: .auto)
        let selection = try XCTUnwrap(vit.selection)
        XCTAssertEqual(Set(selection.measurements.map(\.precision)), [.fp32, .bf16, .bf16OneDNN])
        let eligible = selection.measurements.filter { $0.refusal == nil }
        XCTAssertTrue(eligible.contains { $0.precision == .fp32 })
        let fastest = eligible.min { $0.secondsPerImage! < $1.secondsPerImage! }
        XCTAssertEqual(selection.chosen, fastest?.precision)
        XCTAssertEqual(vit.precision, selection.chosen)
        for m in selection.measurements where m.precision != .fp32 && m.refusal == nil {
            XCTAssertGreaterThanOrEqual(m.minCosine ?? 0, PrecisionSelection.parityBound, "\(m.precision)")
        }
        XCTAssertTrue(selection.report.contains("auto chose \(selection.chosen)"), selection.report)
        let (pixels, expected) = try fixture.pair("native")
        XCTAssertGreaterThan(compare(try vit.features(pixels), expected).minCosine, 0.999)
    }

    /// auto remembers its choice per CPU and architecture beside the model store: the second load
    /// takes it without measuring; a damaged file is measured over and rewritten.
    func testAutoRemembersItsChoiceBesideTheStore() throws {
        try requireBF16()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herd-auto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = PrecisionChoiceCache(folder: folder)
        let fixture = try FixtureModel("tiny-v1")
        func load() throws -> VisionTransformer {
            try VisionTransformer(contentsOf: fixture.weightsPath, configPath: fixture.configPath, threads: 2, precision: .auto, cache: cache)
        }
        let first = try load()
        let measured = try XCTUnwrap(first.selection, "the first load measures")
        let second = try load()
        XCTAssertNil(second.selection, "the second load takes the remembered choice")
        XCTAssertEqual(second.precision, measured.chosen)
        let (pixels, expected) = try fixture.pair("native")
        XCTAssertGreaterThan(compare(try second.features(pixels), expected).minCosine, 0.999)
        try Data("not json".utf8).write(to: URL(fileURLWithPath: cache.path))
        XCTAssertNotNil(try load().selection, "a damaged cache is measured over")
        XCTAssertNil(try load().selection, "and rewritten")
    }
}
