import Encoder
import Foundation
import XCTest

/// Checkpoints a reader must refuse: one clear error each, nothing executed, nothing left in the store.
final class HostileCheckpointTests: XCTestCase {
    /// What the hostile pickles would create (scripts/make_checkpoint_fixtures.py).
    let executed = "/tmp/herd-checkpoint-fixture-executed"
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("herd-hostile-\(UUID().uuidString)")
        try? FileManager.default.removeItem(atPath: executed)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// Installs hostile/`file` and returns the error, after checking the store holds nothing.
    func refusal(_ file: String) throws -> String {
        let path = try FixtureModel("hostile").path(file)
        var message = ""
        XCTAssertThrowsError(try ModelStore(root: root).install(file: URL(fileURLWithPath: path), config: nil, name: "hostile")) { error in
            message = "\(error)"
        }
        XCTAssertTrue(message.hasPrefix(path), "the error names the file: \(message)")
        XCTAssertNil(ModelStore(root: root).installed("hostile"), "nothing installed")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        XCTAssertEqual(left, [], "nothing half-installed in the store")
        XCTAssertFalse(FileManager.default.fileExists(atPath: executed), "the pickle's command ran")
        return message
    }

    func testGlobalThatWouldRunACommandIsRefusedByName() throws {
        let message = try refusal("os-system.pth")
        XCTAssertTrue(message.contains("'posix.system'"), message)
        XCTAssertTrue(message.contains("nothing was read or run"), message)
    }

    func testEvalIsRefusedByName() throws {
        let message = try refusal("eval.pth")
        XCTAssertTrue(message.contains("'__builtin__.eval'"), message)  // protocol 2 names builtins so
    }

    func testTruncatedZip() throws {
        let message = try refusal("truncated.bin")
        XCTAssertTrue(message.contains("no end-of-central-directory record"), message)
        XCTAssertTrue(message.contains("download or copy it again"), message)
    }

    func testEntryClaimingGigabytes() throws {
        let message = try refusal("huge-entry.bin")
        XCTAssertTrue(message.contains("claims 3221225472 bytes"), message)
    }

    func testStorageShorterThanItsTensor() throws {
        let message = try refusal("short-storage.bin")
        XCTAssertTrue(message.contains("needs") && message.contains("of its storage, which holds"), message)
    }

    func testShapeThatFitsNoModel() throws {
        let message = try refusal("wrong-shape.bin")
        XCTAssertTrue(message.contains("tensor 'encoder.layer.1.attention.attention.key.weight' has shape [32, 30], expected [32, 32]"), message)
    }

    func testOtherNetworkListsWhatWasFound() throws {
        let message = try refusal("other-model.bin")
        XCTAssertTrue(message.contains("not a DINO ViT checkpoint in any layout herd reads"), message)
        XCTAssertTrue(message.contains("Found 4 tensors: 0.bias [8], 0.weight [8, 3, 3, 3]"), message)
    }

    func testLegacySerializationIsNamed() throws {
        XCTAssertTrue(try refusal("legacy.bin").contains("before version 1.6"))
    }

    func testNotAWeightsFileAtAll() throws {
        let file = root.deletingLastPathComponent().appendingPathComponent("herd-notes-\(UUID().uuidString).pth")
        try Data("just some text".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        XCTAssertThrowsError(try ModelStore(root: root).install(file: file, config: nil, name: "x")) { error in
            XCTAssertTrue("\(error)".contains("neither a safetensors file nor a PyTorch checkpoint"), "\(error)")
        }
    }
}
