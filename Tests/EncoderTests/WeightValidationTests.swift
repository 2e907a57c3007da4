import Encoder
import Foundation
import Tensor
import XCTest

/// Bad model files give one clear error each, naming the tensor and both shapes.
final class WeightValidationTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("herd-weights-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The tiny-v1 fixture rewritten with `edit` applied to its tensors.
    func rewritten(_ edit: (inout [SafeTensors.Item]) -> Void) throws -> String {
        let fixture = try FixtureModel("tiny-v1")
        let file = try SafeTensorsFile(path: fixture.weightsPath)
        var items = try file.names.map { SafeTensors.Item(name: $0, tensor: try file.tensor($0)) }
        edit(&items)
        let path = folder.appendingPathComponent("model.safetensors").path
        try SafeTensors.encode(items).write(to: URL(fileURLWithPath: path))
        return path
    }

    func loadError(_ path: String) -> String {
        do {
            _ = try VisionTransformer(contentsOf: path, configPath: try FixtureModel("tiny-v1").configPath, threads: 1)
        } catch {
            return "\(error)"
        }
        return "no error"
    }

    func testWrongShapeNamesTensorAndBothShapes() throws {
        let path = try rewritten { items in
            let i = items.firstIndex { $0.name == "encoder.layer.1.attention.attention.key.weight" }!
            items[i].tensor = Tensor(shape: [32, 30], repeating: 0)
        }
        XCTAssertEqual(loadError(path), "\(path): tensor 'encoder.layer.1.attention.attention.key.weight' has shape [32, 30], expected [32, 32]")
    }

    func testMissingTensorIsNamed() throws {
        let path = try rewritten { items in items.removeAll { $0.name == "encoder.layer.0.output.dense.bias" } }
        XCTAssertTrue(loadError(path).contains("has no tensor 'encoder.layer.0.output.dense.bias'"), loadError(path))
    }

    func testUnrelatedCheckpointIsRejected() throws {
        let path = folder.appendingPathComponent("bert.safetensors").path
        try SafeTensors.encode([.init(name: "bert.embeddings.word_embeddings.weight", tensor: Tensor(shape: [4, 4]))]).write(to: URL(fileURLWithPath: path))
        XCTAssertTrue(loadError(path).contains("not a DINO ViT checkpoint"), loadError(path))
    }

    func testTruncatedFileIsRejected() throws {
        let source = try Data(contentsOf: URL(fileURLWithPath: try FixtureModel("tiny-v1").weightsPath))
        let path = folder.appendingPathComponent("cut.safetensors").path
        try source.prefix(source.count / 2).write(to: URL(fileURLWithPath: path))
        XCTAssertTrue(loadError(path).contains("truncated"), loadError(path))
    }

    func testHalfPrecisionWeightsLoadAndStayClose() throws {
        let path = try rewritten { items in
            for i in items.indices { items[i].dtype = i % 2 == 0 ? .f16 : .bf16 }
        }
        let fixture = try FixtureModel("tiny-v1")
        let vit = try VisionTransformer(contentsOf: path, configPath: fixture.configPath, threads: 1)
        let (input, expected) = try fixture.pair("native")
        XCTAssertGreaterThan(compare(try vit.features(input), expected).minCosine, 0.99)
    }

    func testPrefixedCheckpointLoads() throws {
        let path = try rewritten { items in
            for i in items.indices { items[i].name = "vit." + items[i].name }
            items.append(.init(name: "classifier.weight", tensor: Tensor(shape: [10, 32])))
        }
        let fixture = try FixtureModel("tiny-v1")
        let vit = try VisionTransformer(contentsOf: path, configPath: fixture.configPath, threads: 1)
        let (input, expected) = try fixture.pair("native")
        XCTAssertLessThan(compare(try vit.features(input), expected).maxAbs, 1e-4)
    }
}
