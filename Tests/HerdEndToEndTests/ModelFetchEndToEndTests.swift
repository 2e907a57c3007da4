import Foundation
import HerdTestSupport
import XCTest

/// The README's first command against a loopback hub laid out as the real one: `herd model fetch NAME`
/// takes the pinned revision's file (pytorch_model.bin for DINO v1, model.safetensors for DINOv2),
/// converts it once, and `herd embed` gives transformers' features; `herd model import` of the original
/// DINO checkpoint gives the same model.
extension EncoderCommandTests {
    func testFetchFromAHubAsItIsTodayThenEmbed() throws {
        let hub = try LoopbackHub()
        defer { hub.stop() }
        // name, repository, the revision herd pins (the hub's main there), the file published there, fixture.
        let models = [("dino-vits16", "facebook/dino-vits16", "abe3b354cb6a9b6f146096b14a4a9d7eecbcb4bd", "pytorch_model.bin", "tiny-v1"),
                      ("dino-vitb16", "facebook/dino-vitb16", "main", "pytorch_model.bin", "tiny-v1"),
                      ("dinov2-small", "facebook/dinov2-small", "ed25f3a31f01632728cabb09d1542f84ab7b0056", "model.safetensors", "tiny-v2"),
                      ("dinov2-base", "facebook/dinov2-base", "f9e44c814b77203eaa57a6bdbbd535f21ede1415", "model.safetensors", "tiny-v2")]
        for (name, repository, revision, file, folder) in models {
            let fixture = self.fixture.deletingLastPathComponent().appendingPathComponent(folder)
            let commit = revision == "main" ? String(repeating: "7", count: 40) : revision
            var files = [("config.json", try Data(contentsOf: fixture.appendingPathComponent("config.json"))),
                         ("pytorch_model.bin", try Data(contentsOf: fixture.appendingPathComponent("pytorch_model.bin")))]
            if file == "model.safetensors" { files.append(("model.safetensors", try Data(contentsOf: fixture.appendingPathComponent("model.safetensors")))) }
            try hub.publish(repository, revisions: Array(Set([revision, "main"])), commit: commit, files: files)

            let fetch = try herd(["model", "fetch", name], environment: ["HERD_HUB_URL": hub.base.absoluteString])
            XCTAssertEqual(fetch.status, 0, fetch.stderr)
            XCTAssertTrue(fetch.stdout.contains("source: \(repository) @ \(commit) \(file) ("), fetch.stdout)

            let out = work.appendingPathComponent("\(name).npy").path
            let embed = try herd(["embed", "--tensor", fixture.appendingPathComponent("native-input.npy").path, "--model", name,
                                  "--precision", "fp32", "--npy", out])
            XCTAssertEqual(embed.status, 0, embed.stderr)
            let got = try floats(out), expected = try floats(fixture.appendingPathComponent("native-expected.npy").path)
            XCTAssertEqual(got.count, expected.count, name)
            for (a, b) in zip(got, expected) { XCTAssertEqual(a, b, accuracy: 1e-4, name) }
            XCTAssertGreaterThan(minCosine(got, expected), 0.99999, name)
        }
        let commit = "abe3b354cb6a9b6f146096b14a4a9d7eecbcb4bd"

        let list = try herd(["model", "list", "--verbose"])
        XCTAssertTrue(list.stdout.contains("source: facebook/dino-vits16 @ \(commit) pytorch_model.bin"), list.stdout)

        // The original repository's checkpoint of the same weights installs as the same model (same id digest).
        let original = fixture.appendingPathComponent("original.pth").path
        let imported = try herd(["model", "import", original, "--name", "from-original", "--config", fixture.appendingPathComponent("config.json").path])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertTrue(imported.stdout.contains("imported from \(original) (pytorch, original DINO"), imported.stdout)
        let store = work.appendingPathComponent("models")
        let fetched = try Data(contentsOf: store.appendingPathComponent("dino-vits16/model.safetensors"))
        let converted = try Data(contentsOf: store.appendingPathComponent("from-original/model.safetensors"))
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
