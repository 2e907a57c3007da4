import Foundation
import HerdTestSupport
import XCTest

/// `herd eval --images DIR`: class folders embedded with an installed (tiny, random-weight) model, then scored.
/// The tiny model's features say nothing about clothing, so only the shape of the results is checked.
final class EvalImagesTests: XCTestCase {
    var work: URL!
    /// The class folders: hat, shoes, skirt, two photos each, plus a broken photo, a text file, a hidden folder
    /// and a file directly in the folder.
    var classes: String { work.appendingPathComponent("wardrobe").path }

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("herd-e2e-evalimages-\(UUID().uuidString)")
        let clothing = SharedData.path + "/photos/clothing"
        let files = FileManager.default
        for name in ["hat", "shoes", "skirt"] {
            let photos = try files.contentsOfDirectory(atPath: clothing + "/" + name).sorted().prefix(2)
            // skirt's second photo sits one level down: classes are searched recursively.
            let folder = classes + "/" + name + (name == "skirt" ? "/more" : "")
            try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (i, photo) in photos.enumerated() {
                let target = (name == "skirt" && i == 0 ? classes + "/skirt" : folder) + "/" + photo
                try files.copyItem(atPath: clothing + "/" + name + "/" + photo, toPath: target)
            }
        }
        try files.copyItem(atPath: SharedData.path + "/robustness/pillow/truncated_jpeg.jpg", toPath: classes + "/hat/broken.jpg")
        try Data("not a photo\n".utf8).write(to: URL(fileURLWithPath: classes + "/shoes/notes.txt"))
        try Data("classes are the sub-folders\n".utf8).write(to: URL(fileURLWithPath: classes + "/README.txt"))
        try files.createDirectory(atPath: classes + "/.cache", withIntermediateDirectories: true)
        try files.copyItem(atPath: SharedData.path + "/robustness/pillow/hopper.jpg", toPath: classes + "/.cache/hopper.jpg")

        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../EncoderTests/Fixtures/tiny-v2/model.safetensors").standardized.path
        let imported = try herd(["model", "import", model, "--name", "tiny"])
        XCTAssertEqual(imported.status, 0, imported.stderr)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: work)
    }

    /// Runs herd with its models in `work/models`.
    func herd(_ arguments: [String]) throws -> HerdBinary.Result {
        try HerdBinary.run(arguments, environment: ["HERD_MODELS_DIR": work.appendingPathComponent("models").path])
    }

    func testJSONReportsClassesImagesAndWhatWasLeftOut() throws {
        let x = work.appendingPathComponent("x.npy").path, y = work.appendingPathComponent("y.npy").path
        let run = try herd(["eval", "--images", classes, "--model", "tiny", "--json", "--runs", "2",
                            "--save-features", x, "--save-labels", y])
        XCTAssertEqual(run.status, 1, "the broken photo is left out: \(run.stderr)")
        XCTAssertTrue(run.stderr.contains("hat/broken.jpg") && run.stderr.contains("Premature end of JPEG file"), run.stderr)
        XCTAssertTrue(run.stderr.contains("1 of 7 images could not be embedded"), run.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        XCTAssertEqual(object["points"] as? Int, 6)
        XCTAssertEqual(object["dimension"] as? Int, 32)
        XCTAssertEqual(object["classes"] as? Int, 3)
        XCTAssertEqual(object["clusters"] as? Int, 3, "under 20 points the count is the number of classes")
        XCTAssertNil(object["cluster_count"], "nothing was chosen from the features")
        XCTAssertEqual(object["features"] as? String, x)
        let images = try XCTUnwrap(object["images"] as? [String: Any])
        XCTAssertEqual(images["class_names"] as? [String], ["hat", "shoes", "skirt"])
        XCTAssertEqual(images["images_per_class"] as? [Int], [2, 2, 2])
        XCTAssertEqual(images["failed"] as? Int, 1)
        XCTAssertEqual(images["not_images"] as? Int, 1)
        XCTAssertEqual(images["outside_classes"] as? Int, 1)
        XCTAssertGreaterThan(images["embed_seconds"] as? Double ?? 0, 0)
        XCTAssertNotNil(object["wall_seconds"] as? Double)
        let methods = try XCTUnwrap(object["methods"] as? [[String: Any]])
        XCTAssertEqual(methods.compactMap { $0["method"] as? String }, ["tsp", "tsp-paper", "kmeans"])
        for method in methods {
            for metric in ["acc", "nmi", "ari"] {
                let runs = try XCTUnwrap((method[metric] as? [String: Any])?["runs"] as? [Double], "\(method)")
                XCTAssertEqual(runs.count, 2)
                // ARI can dip below 0 for worse-than-chance partitions; ACC and NMI cannot.
                for value in runs { XCTAssertTrue((metric == "ari" ? -1 : 0)...1 ~= value, "\(metric) \(value)") }
            }
        }

        // The saved arrays give the same k-means result through --features, seed for seed.
        let again = try herd(["eval", "--features", x, "--labels", y, "--method", "kmeans", "--runs", "2", "--json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        let object2 = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object2["points"] as? Int, 6)
        XCTAssertEqual(object2["classes"] as? Int, 3)
        let kmeans = try XCTUnwrap(methods.first { $0["method"] as? String == "kmeans" })
        let kmeans2 = try XCTUnwrap((object2["methods"] as? [[String: Any]])?.first)
        for metric in ["acc", "nmi", "ari"] {
            XCTAssertEqual((kmeans[metric] as? [String: Any])?["runs"] as? [Double], (kmeans2[metric] as? [String: Any])?["runs"] as? [Double], metric)
        }
    }

    func testTableNamesTheFolderClassesAndTimes() throws {
        try FileManager.default.removeItem(atPath: classes + "/hat/broken.jpg")
        let run = try herd(["eval", "--images", classes, "--model", "tiny", "--method", "kmeans", "--runs", "1"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "wardrobe: 6 × 32, 3 classes, 3 clusters, 1 runs (seeds 0…0)", run.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("6 images embedded with tiny on ") }, run.stdout)
        XCTAssertTrue(lines.contains("classes: hat 2, shoes 2, skirt 2"), run.stdout)
        XCTAssertTrue(lines.contains("left out: 1 file that is not an image; 1 entry directly in wardrobe, outside every class"), run.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("kmeans ") }, run.stdout)
        XCTAssertTrue(lines.last?.hasPrefix("wall time ") == true && lines.last?.hasSuffix(" s embedding") == true, run.stdout)
    }

    func testMissingModelSaysWhichToFetch() throws {
        let run = try herd(["eval", "--images", classes])
        XCTAssertEqual(run.status, 3)
        XCTAssertTrue(run.stderr.contains(classes) && run.stderr.contains("herd model fetch dino-vits16"), run.stderr)
    }

    func testOneClassIsRefused() throws {
        for name in ["shoes", "skirt"] { try FileManager.default.removeItem(atPath: classes + "/" + name) }
        let run = try herd(["eval", "--images", classes, "--model", "tiny"])
        XCTAssertEqual(run.status, 3)
        XCTAssertTrue(run.stderr.contains(classes) && run.stderr.contains("1 class with images ('hat')")
                      && run.stderr.contains("at least 2"), run.stderr)
    }

    func testMissingFolderIsNamed() throws {
        let missing = work.appendingPathComponent("nowhere").path
        let run = try herd(["eval", "--images", missing, "--model", "tiny"])
        XCTAssertEqual(run.status, 3)
        XCTAssertEqual(run.stderr, "herd: \(missing): no such folder; give a folder with one sub-folder of images per class\n")
    }

    func testSaveIntoAMissingFolderFailsBeforeEmbedding() throws {
        let target = work.appendingPathComponent("nowhere/x.npy").path
        let run = try herd(["eval", "--images", classes, "--model", "tiny", "--save-features", target])
        XCTAssertEqual(run.status, 3)
        XCTAssertTrue(run.stderr.contains("\(target): the folder ") && !run.stderr.contains("broken.jpg"), run.stderr)
        // A folder where a file should go is refused before embedding too.
        let folder = work.path
        let intoFolder = try herd(["eval", "--images", classes, "--model", "tiny", "--save-labels", folder])
        XCTAssertEqual(intoFolder.status, 3)
        XCTAssertTrue(intoFolder.stderr.contains("\(folder): is a folder") && !intoFolder.stderr.contains("broken.jpg"), intoFolder.stderr)
    }

    func testSaveFlagsNeedImages() throws {
        let run = try herd(["eval", "--features", "x.npy", "--labels", "y.npy", "--save-features", "z.npy"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("--save-features"), run.stderr)
    }
}
