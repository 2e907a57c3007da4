import Encoder
import Foundation
import Tensor
import XCTest

/// `herd model import` of every published form of the tiny models: each installs in the store's form,
/// runs to transformers' features, and gets the same model id.
final class CheckpointImportTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("herd-import-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    var store: ModelStore { ModelStore(root: root) }

    /// Installs `file` of `fixture` as `name` and checks its features against transformers'.
    func installAndRun(_ fixture: FixtureModel, _ file: String, as name: String) throws -> ModelStore.Installation {
        let installed = try store.install(file: URL(fileURLWithPath: fixture.path(file)), config: try fixture.data("config.json"), name: name)
        let (weights, config) = try store.resolve(name)
        let model = try VisionTransformer(contentsOf: weights, configPath: config, threads: 2, precision: .fp32)
        let (input, expected) = try fixture.pair("native")
        let (maxAbs, minCosine) = compare(try model.features(input), expected)
        XCTAssertLessThan(maxAbs, 1e-4, "\(file): features differ from transformers'")
        XCTAssertGreaterThan(minCosine, 0.99999, file)
        return installed
    }

    func testEveryFormOfTheDINOModelInstallsToTheSameModel() throws {
        let fixture = try FixtureModel("tiny-v1")
        let forms = ["model.safetensors": ("safetensors", "Hugging Face ViTModel", ""),
                     "pytorch_model.bin": ("pytorch", "Hugging Face ViTModel", ""),
                     "pytorch_model-zip64.bin": ("pytorch", "Hugging Face ViTModel", ""),  // ZIP64 sizes, offsets, end records
                     "original.pth": ("pytorch", "original DINO", ""),
                     "training-checkpoint.pth": ("pytorch", "original DINO", "teacher.backbone.")]
        var digests: Set<String> = []
        for (file, (format, layout, prefix)) in forms.sorted(by: { $0.key < $1.key }) {
            let name = "v1-" + file.replacingOccurrences(of: ".", with: "-")
            let installed = try installAndRun(fixture, file, as: name)
            XCTAssertEqual(installed.source.format, format, file)
            XCTAssertEqual(installed.source.layout, layout, file)
            XCTAssertEqual(installed.source.prefix, prefix, file)
            XCTAssertEqual(installed.source.sha256, FileDigest.sha256Hex(try fixture.data(file)), file)
            XCTAssertEqual(try store.source(of: name), installed.source, "source.json holds the record")
            let weights = try store.resolve(name).weights
            let cache = weights + ".sha256"
            let remembered = try String(contentsOfFile: cache, encoding: .utf8)
            XCTAssertTrue(remembered.hasPrefix(installed.digest + "\n"), "the digest computed while writing is remembered")
            XCTAssertEqual(try store.digest(ofWeights: weights), installed.digest, "the model id's digest is the stored file's")
            XCTAssertEqual(try String(contentsOfFile: cache, encoding: .utf8), remembered, "and used as it is: the file was not hashed again")
            XCTAssertEqual(FileDigest.sha256Hex(try Data(contentsOf: URL(fileURLWithPath: weights))), installed.digest)
            digests.insert(installed.digest)
        }
        XCTAssertEqual(digests.count, 1, "the same weights from any form give one model id")
    }

    func testEveryFormOfTheDINOv2ModelInstallsToTheSameModel() throws {
        let fixture = try FixtureModel("tiny-v2")
        var digests: Set<String> = []
        for file in ["model.safetensors", "pytorch_model.bin", "original.pth", "training-checkpoint.pth"] {
            let installed = try installAndRun(fixture, file, as: "v2")
            XCTAssertEqual(installed.config.family, .dinoV2, file)
            if file == "training-checkpoint.pth" {
                XCTAssertEqual(installed.source.prefix, "model.teacher.backbone.", "the teacher, not the student")
                XCTAssertEqual(installed.source.layout, "original DINOv2")
            }
            digests.insert(installed.digest)
        }
        XCTAssertEqual(digests.count, 1, "the same weights from any form give one model id")
    }

    func testHalfAndBFloat16CheckpointsConvertExactlyToFloat32() throws {
        let fixture = try FixtureModel("tiny-v1")
        let original = try SafeTensorsFile(path: fixture.weightsPath)
        let full = try store.install(file: URL(fileURLWithPath: fixture.weightsPath), config: try fixture.data("config.json"), name: "f32")
        for (file, name) in [("pytorch_model-f16.bin", "f16"), ("pytorch_model-bf16.bin", "bf16")] {
            let installed = try store.install(file: URL(fileURLWithPath: fixture.path(file)), config: try fixture.data("config.json"), name: name)
            XCTAssertNotEqual(installed.digest, full.digest, "rounded weights are other weights: another model id")
            let stored = try SafeTensorsFile(path: try store.resolve(name).weights)
            XCTAssertTrue(stored.entries.values.allSatisfy { $0.dtype == "F32" })
            for tensor in ["embeddings.patch_embeddings.projection.weight", "encoder.layer.1.output.dense.weight", "layernorm.bias"] {
                let got = try stored.tensor(tensor).data, want = try original.tensor(tensor).data
                if name == "f16" {
                    XCTAssertEqual(got, want.map { Float(Float16($0)) }, tensor)
                } else {
                    for (g, w) in zip(got, want) {
                        XCTAssertEqual(g.bitPattern & 0xFFFF, 0, "\(tensor): a bfloat16 value")
                        XCTAssertLessThanOrEqual(abs(g - w), abs(w) / 256, tensor)
                    }
                }
            }
            let model = try VisionTransformer(contentsOf: try store.resolve(name).weights, configPath: try store.resolve(name).config, threads: 2, precision: .fp32)
            let (input, expected) = try fixture.pair("native")
            XCTAssertGreaterThan(compare(try model.features(input), expected).minCosine, 0.999, file)
        }
    }

    func testStoreFormHoldsOnlyTheModelsTensorsInFloat32UnderHubNames() throws {
        let fixture = try FixtureModel("tiny-v2")
        try store.install(file: URL(fileURLWithPath: fixture.path("original.pth")), config: try fixture.data("config.json"), name: "v2")
        let file = try SafeTensorsFile(path: try store.resolve("v2").weights)
        XCTAssertEqual(file.metadata["herd"], "model-weights 1")
        XCTAssertTrue(file.entries.values.allSatisfy { $0.dtype == "F32" })
        XCTAssertNil(file.entries["embeddings.mask_token"], "tensors herd does not run are left out")
        XCTAssertEqual(file.entries["encoder.layer.1.attention.attention.value.weight"]?.shape, [32, 32])
        XCTAssertEqual(file.entries["encoder.layer.0.layer_scale2.lambda1"]?.shape, [32])
        // The value rows of the fused qkv are its last third.
        let original = try SafeTensorsFile(path: fixture.weightsPath)
        XCTAssertEqual(try file.tensor("encoder.layer.1.attention.attention.value.weight").data,
                       try original.tensor("encoder.layer.1.attention.attention.value.weight").data)
    }

    func testClassificationCheckpointUnderAPrefixInstallsAsTheSameModel() throws {
        // A ViTForImageClassification checkpoint: the model under `vit.`, plus a classifier herd does not run.
        let fixture = try FixtureModel("tiny-v1")
        let file = try SafeTensorsFile(path: fixture.weightsPath)
        var items = try file.names.map { SafeTensors.Item(name: "vit." + $0, tensor: try file.tensor($0)) }
        items.append(SafeTensors.Item(name: "classifier.weight", tensor: Tensor(shape: [10, 32], data: [Float](repeating: 0.5, count: 320))))
        let prefixed = root.deletingLastPathComponent().appendingPathComponent("herd-prefixed-\(UUID().uuidString).safetensors")
        try SafeTensors.encode(items.reversed()).write(to: prefixed)
        defer { try? FileManager.default.removeItem(at: prefixed) }
        let plain = try store.install(file: URL(fileURLWithPath: fixture.weightsPath), config: try fixture.data("config.json"), name: "plain")
        let classifier = try store.install(file: prefixed, config: try fixture.data("config.json"), name: "classifier")
        XCTAssertEqual(classifier.source.prefix, "vit.")
        XCTAssertEqual(classifier.digest, plain.digest, "tensor order, prefix and extra tensors do not change the model id")
    }

    func testModelsInstalledBeforeSourceRecordsKeepTheirIds() throws {
        // A folder as older herds wrote it: the published file copied as is, no source.json.
        let fixture = try FixtureModel("tiny-v1")
        let legacy = root.appendingPathComponent("legacy")
        try FileManager.default.createDirectory(at: legacy, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture.weightsPath, toPath: legacy.appendingPathComponent("model.safetensors").path)
        XCTAssertNil(try store.source(of: "legacy"))
        XCTAssertEqual(try store.digest(ofWeights: try store.resolve("legacy").weights), FileDigest.sha256Hex(try fixture.data("model.safetensors")))
    }

    func testPyTorchCheckpointPathsAreNotRunDirectly() throws {
        let fixture = try FixtureModel("tiny-v1")
        XCTAssertThrowsError(try store.resolve(fixture.path("pytorch_model.bin"))) { error in
            XCTAssertTrue("\(error)".contains("herd model import"), "\(error)")
        }
    }
}
