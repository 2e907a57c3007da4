import Foundation
import XCTest

/// A library of JPEG, HEIC, AVIF and WebP photos, end to end with the ViT: the daemon embeds every one,
/// puts each in a herd, draws each on its herd's contact sheet; inspect and similar read them too.
final class MixedFormatsEndToEndTests: XCTestCase {
    /// A committed HEIF, AVIF or WebP sample (`Tests/Data/formats`), found by its name.
    static func sample(_ name: String) -> String {
        let folder = name.hasSuffix(".avif") ? "avif" : name.hasSuffix(".webp") ? "webp"
            : ["truncated.heic", "corrupted.hif"].contains(name) ? "heic-broken" : "heic"
        return HerdBinary.sharedData + "/formats/\(folder)/\(name)"
    }

    func testTheDaemonEmbedsHerdsAndDrawsEveryFormat() throws {
        let herd = try HerdHarness(extraEnvironment: ["HERD_RETRAIN_INTERVAL_MIN": "0"])
        defer { herd.remove() }
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../EncoderTests/Fixtures/tiny-v2/model.safetensors").standardized.path
        let jpegs = try Array(HerdHarness.clothingPhotos().enumerated().filter { $0.offset % 40 == 0 }.map(\.element))
        let others = ["pug-small.heic", "arrow.heic", "zPug_3.heic", "RGB_10__128x128.heif", "rot1mir0.avif", "rot2mir1.avif",
                      "transparency.avif", "flower.webp", "hopper_orientation_6.webp", "animated-3-frames.webp", "transparent.webp"]
        try herd.copy(jpegs, to: "jpeg")
        try herd.copy(others.map(Self.sample), to: "phone")
        let all = jpegs.count + others.count
        let initialised = try herd.run(["init", herd.library, "--output", herd.output, "--model", model])
        XCTAssertEqual(initialised.status, 0, initialised.stderr)

        let daemon = try herd.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        XCTAssertTrue(herd.waitUntil(timeout: 240) { try linked(herd).count == all }, herd.daemonLog)
        XCTAssertEqual(try herd.count("embedded"), all)
        let failed = try herd.files(["--failed"])
        XCTAssertEqual(failed.count, 0, "\(failed)")
        XCTAssertEqual(Set(try linked(herd).map { ($0 as NSString).lastPathComponent }),
                       Set((jpegs + others).map { ($0 as NSString).lastPathComponent }))

        // Every photo of a herd (up to the sheet's 12) is drawn: a photo left out would shrink the grid.
        XCTAssertTrue(herd.waitUntil(timeout: 60) { try sheetsAreComplete(herd) }, herd.daemonLog)

        // The catalogue has the HEIC's capture time and camera.
        let pug = try herd.run(["files", "--json", "--path", "*pug-small.heic"])
        XCTAssertTrue(pug.stdout.contains("2023-02-21T14:33:08") && pug.stdout.contains("iPhone 13 Pro"), pug.stdout)

        // A HEIC outside the library, embedded on the fly: its own library copy is nearest.
        let similar = try herd.run(["similar", Self.sample("arrow.heic"), "-k", "1", "--json"])
        XCTAssertEqual(similar.status, 0, similar.stderr)
        XCTAssertTrue(similar.stdout.contains(herd.library + "/phone/arrow.heic"), similar.stdout)

        daemon.terminate()
        daemon.waitUntilExit()
        XCTAssertEqual(daemon.terminationStatus, 0, herd.daemonLog)
    }

    func testInspectAnswersForEveryNewFormat() throws {
        let files = ["arrow.heic", "rot3mir1.avif", "hopper_orientation_8.webp", "truncated.heic"].map(Self.sample)
        let result = try HerdBinary.run(["inspect", "--json"] + files, base: ProcessInfo.processInfo.environment)
        XCTAssertEqual(result.status, 1, "the truncated file fails: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        XCTAssertEqual(lines.count, 4)
        XCTAssertEqual(lines.map { $0["format"] as? String }, ["heif", "avif", "webp", nil])
        XCTAssertEqual(lines.map { $0["width"] as? Int }, [3024, 640, 128, nil])
        XCTAssertEqual(lines.map { $0["height"] as? Int }, [4032, 427, 128, nil])
        XCTAssertEqual(lines[2]["orientation"] as? Int, 8)
        XCTAssertEqual(lines[3]["error_kind"] as? String, "truncated", "\(lines[3])")
    }

    func testEvalImagesEmbedsClassFoldersOfEveryFormat() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("herd-e2e-formats-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        let classes = ["heic": ["pug-small.heic", "arrow.heic"], "avif": ["rot0mir0.avif", "rot3mir1.avif"],
                       "webp": ["flower.webp", "animated-3-frames.webp"]]
        for (name, files) in classes {
            try FileManager.default.createDirectory(atPath: work + "/sets/" + name, withIntermediateDirectories: true)
            for file in files { try FileManager.default.copyItem(atPath: Self.sample(file), toPath: work + "/sets/\(name)/\(file)") }
        }
        let environment = ProcessInfo.processInfo.environment.merging(["HERD_MODELS_DIR": work + "/models"]) { $1 }
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../EncoderTests/Fixtures/tiny-v2/model.safetensors").standardized.path
        let imported = try HerdBinary.run(["model", "import", model, "--name", "tiny"], base: environment)
        XCTAssertEqual(imported.status, 0, imported.stderr)
        let run = try HerdBinary.run(["eval", "--images", work + "/sets", "--model", "tiny", "--json", "--runs", "1"], base: environment)
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        XCTAssertEqual(object["points"] as? Int, 6)
        XCTAssertEqual(object["classes"] as? Int, 3)
    }

    /// Targets of every link in the output tree.
    private func linked(_ herd: HerdHarness) throws -> [String] {
        let fm = FileManager.default
        var targets: [String] = []
        for folder in try fm.contentsOfDirectory(atPath: herd.output) where HerdHarness.isHerdFolder(folder) {
            for entry in try fm.contentsOfDirectory(atPath: herd.output + "/" + folder) where entry != "_contact-sheet.jpg" {
                targets.append(try fm.destinationOfSymbolicLink(atPath: herd.output + "/" + folder + "/" + entry))
            }
        }
        return targets
    }

    /// Whether every herd's contact sheet has one cell per photo shown (at most 12; 4 columns of 160-pixel
    /// cells with 4-pixel gaps), read back with `herd inspect`.
    private func sheetsAreComplete(_ herd: HerdHarness) throws -> Bool {
        let fm = FileManager.default
        for folder in try fm.contentsOfDirectory(atPath: herd.output) where HerdHarness.isHerdFolder(folder) {
            let members = try fm.contentsOfDirectory(atPath: herd.output + "/" + folder).filter { $0 != "_contact-sheet.jpg" }.count
            let shown = min(members, 12)
            let columns = min(4, shown), rows = (shown + 3) / 4
            let sheet = try HerdBinary.run(["inspect", "--json", herd.output + "/" + folder + "/_contact-sheet.jpg"],
                                           base: herd.environment)
            guard let info = try JSONSerialization.jsonObject(with: Data(sheet.stdout.utf8)) as? [String: Any] else { return false }
            guard info["width"] as? Int == columns * 160 + (columns + 1) * 4,
                  info["height"] as? Int == rows * 160 + (rows + 1) * 4 else { return false }
        }
        return true
    }
}
