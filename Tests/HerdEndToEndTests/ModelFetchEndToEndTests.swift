import Foundation
import HerdTestSupport
import XCTest

/// The README's first command against a loopback hub laid out as the real one: `herd model fetch
/// dino-vits16` takes the pinned pytorch_model.bin, converts it once, and `herd embed` gives
/// transformers' features; `herd model import` of the original DINO checkpoint gives the same model.
extension EncoderCommandTests {
    func testFetchFromAHubAsItIsTodayThenEmbed() throws {
        let hub = try LoopbackHub()
        defer { hub.stop() }
        let commit = "abe3b354cb6a9b6f146096b14a4a9d7eecbcb4bd"  // dino-vits16's pinned revision
        try hub.publish("facebook/dino-vits16", revisions: [commit, "main"], commit: commit, files: [
            ("config.json", try Data(contentsOf: fixture.appendingPathComponent("config.json"))),
            ("pytorch_model.bin", try Data(contentsOf: fixture.appendingPathComponent("pytorch_model.bin"))),
        ])
        let fetch = try herd(["model", "fetch", "dino-vits16"], environment: ["HERD_HUB_URL": hub.base.absoluteString])
        XCTAssertEqual(fetch.status, 0, fetch.stderr)
        XCTAssertTrue(fetch.stdout.contains("source: facebook/dino-vits16 @ \(commit) pytorch_model.bin (pytorch, Hugging Face ViTModel"), fetch.stdout)

        let out = work.appendingPathComponent("fetched.npy").path
        let embed = try herd(["embed", "--tensor", fixture.appendingPathComponent("native-input.npy").path, "--precision", "fp32", "--npy", out])
        XCTAssertEqual(embed.status, 0, embed.stderr)
        let got = try floats(out), expected = try self.expected
        XCTAssertEqual(got.count, expected.count)
        for (a, b) in zip(got, expected) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        XCTAssertGreaterThan(minCosine(got, expected), 0.99999)

        let list = try herd(["model", "list", "--verbose"])
        XCTAssertTrue(list.stdout.contains("source: facebook/dino-vits16 @ \(commit) pytorch_model.bin"), list.stdout)

        // The original repository's checkpoint of the same weights installs as the same model (same id digest).
        let original = fixture.appendingPathComponent("original.pth").path
        let imported = try herd(["model", "import", original, "--name", "from-original", "--config", fixture.appendingPathComponent("config.json").path])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertTrue(imported.stdout.contains("imported from \(original) (pytorch, original DINO"), imported.stdout)
        let models = work.appendingPathComponent("models")
        let fetched = try Data(contentsOf: models.appendingPathComponent("dino-vits16/model.safetensors"))
        let converted = try Data(contentsOf: models.appendingPathComponent("from-original/model.safetensors"))
        XCTAssertEqual(fetched, converted, "one store form for the same weights")
    }

    func testImportRefusesAHostileCheckpointWithOneLine() throws {
        let hostile = fixture.deletingLastPathComponent().appendingPathComponent("hostile/os-system.pth").path
        let run = try herd(["model", "import", hostile, "--name", "evil"])
        XCTAssertEqual(run.status, 3, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("herd: \(hostile): refused: the checkpoint's pickle names the global 'posix.system'"), run.stderr)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/herd-checkpoint-fixture-executed"))
    }
}
