import Encoder
import Tensor
import XCTest

/// herd's forward pass against transformers' output on the committed tiny fixtures.
final class ParityTests: XCTestCase {
    func check(_ model: String, _ name: String, threads: Int, splitsImages: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws {
        let fixture = try FixtureModel(model)
        let vit = try VisionTransformer(contentsOf: fixture.weightsPath, configPath: fixture.configPath, threads: threads)
        vit.splitsImages = splitsImages
        let (input, expected) = try fixture.pair(name)
        let got = try vit.features(input)
        XCTAssertEqual(got.shape, expected.shape, file: file, line: line)
        let (maxAbs, minCosine) = compare(got, expected)
        XCTAssertLessThan(maxAbs, 1e-4, "\(model)/\(name): max |Δ|", file: file, line: line)
        XCTAssertGreaterThan(minCosine, 0.999_99, "\(model)/\(name): cosine", file: file, line: line)
    }

    func testDINOv1MatchesTransformers() throws {
        try check("tiny-v1", "native", threads: 1)
        try check("tiny-v1", "native", threads: 3)  // one image per thread
        try check("tiny-v1", "native", threads: 2)  // two images per thread, the third split by rows
        try check("tiny-v1", "native", threads: 2, splitsImages: false)
    }

    func testDINOv2AtNativeGridMatchesTransformers() throws {
        try check("tiny-v2", "native", threads: 2)
    }

    func testDINOv2InterpolatedPositionsMatchTransformers() throws {
        try check("tiny-v2", "interpolated", threads: 2)
        try check("tiny-v2", "upsampled", threads: 1)
    }

    func testConfigIsReadFromShapesAndConfigJSON() throws {
        let fixture = try FixtureModel("tiny-v2")
        let vit = try VisionTransformer(contentsOf: fixture.weightsPath, configPath: fixture.configPath, threads: 1)
        XCTAssertEqual(vit.config, ViTConfig(family: .dinoV2, hidden: 32, heads: 4, layers: 2, mlpHidden: 128, patch: 8, positionGrid: 7, eps: 1e-6))
    }

    func testBuffersAreReusedAcrossBatchSizes() throws {
        let fixture = try FixtureModel("tiny-v1")
        let vit = try VisionTransformer(contentsOf: fixture.weightsPath, configPath: fixture.configPath, threads: 2)
        let (input, expected) = try fixture.pair("native")
        let all = try vit.features(input)
        let one = try vit.features(Tensor(shape: [1] + Array(input.shape.dropFirst()), data: Array(input.data.prefix(input.columns))))
        XCTAssertLessThan(compare(one, Tensor(shape: [1, expected.columns], data: expected.row(0))).maxAbs, 1e-4)
        XCTAssertLessThan(compare(all, expected).maxAbs, 1e-4)
    }

    func testLanesOfSeveralImagesMatchTransformers() throws {
        let fixture = try FixtureModel("tiny-v1")
        let vit = try VisionTransformer(contentsOf: fixture.weightsPath, configPath: fixture.configPath, threads: 2)
        vit.imagesPerLane = 2
        let (input, expected) = try fixture.pair("native")
        // 6 images: two lanes of two images, then two split by rows.
        let doubled = Tensor(shape: [6] + Array(input.shape.dropFirst()), data: input.data + input.data)
        let got = try vit.features(doubled)
        XCTAssertLessThan(compare(got, Tensor(shape: [6, expected.columns], data: expected.data + expected.data)).maxAbs, 1e-4)
    }

    func testNormalisedFeaturesHaveUnitLength() throws {
        let fixture = try FixtureModel("tiny-v1")
        let vit = try VisionTransformer(contentsOf: fixture.weightsPath, configPath: fixture.configPath, threads: 1)
        let out = try vit.features(try fixture.pair("native").input, normalize: true)
        for r in 0..<out.rows {
            XCTAssertEqual(out.row(r).reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5)
        }
    }

    func testWrongInputShapeThrows() throws {
        let fixture = try FixtureModel("tiny-v1")
        let vit = try VisionTransformer(contentsOf: fixture.weightsPath, configPath: fixture.configPath, threads: 1)
        XCTAssertThrowsError(try vit.features(Tensor(shape: [1, 3, 30, 32]))) { error in
            XCTAssertTrue("\(error)".contains("multiple of the 8-pixel patch"), "\(error)")
        }
        XCTAssertThrowsError(try vit.features(Tensor(shape: [1, 1, 32, 32])))
        XCTAssertThrowsError(try vit.features(Tensor(shape: [1, 3, 40, 40]))) { error in
            XCTAssertTrue("\(error)".contains("DINO v1 model takes 32×32"), "\(error)")
        }
    }
}
