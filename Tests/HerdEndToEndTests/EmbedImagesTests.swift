import Foundation
import XCTest

/// `herd embed IMAGE...`: decoding, preprocessing and the encoder, end to end.
final class EmbedImagesTests: XCTestCase {
    let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../EncoderTests/Fixtures/tiny-v2/model.safetensors").standardized.path

    func testImagesGiveTheSameFeaturesAsTheirPreprocessedTensor() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("herd-embed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let photos = [HerdBinary.sharedData + "/robustness/pillow/hopper.jpg",
                      HerdBinary.sharedData + "/robustness/exif-orientation/Portrait_6.jpg"]
        let broken = HerdBinary.sharedData + "/robustness/pillow/truncated_jpeg.jpg"

        let direct = try HerdBinary.run(["embed", "--model", model, "--json"] + photos + [broken])
        XCTAssertEqual(direct.status, 1, "one image fails: \(direct.stderr)")
        XCTAssertTrue(direct.stderr.contains("truncated_jpeg.jpg"), direct.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(direct.stdout.utf8)) as? [String: Any])
        let items = try XCTUnwrap(object["items"] as? [[String: Any]])
        XCTAssertEqual(items.map { $0["source"] as? String }, photos)

        let tensor = dir.appendingPathComponent("x.npy").path
        XCTAssertEqual(try HerdBinary.run(["preprocess"] + photos + ["--npy", tensor]).status, 0)
        let viaTensor = try HerdBinary.run(["embed", "--model", model, "--json", "--tensor", tensor])
        XCTAssertEqual(viaTensor.status, 0, viaTensor.stderr)
        let object2 = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(viaTensor.stdout.utf8)) as? [String: Any])
        let items2 = try XCTUnwrap(object2["items"] as? [[String: Any]])
        for (a, b) in zip(items, items2) {
            let x = try XCTUnwrap(a["features"] as? [Double]), y = try XCTUnwrap(b["features"] as? [Double])
            XCTAssertEqual(x.count, 32)
            XCTAssertEqual(x, y)
        }
        // Two different photos give different features.
        XCTAssertNotEqual(items[0]["features"] as? [Double], items[1]["features"] as? [Double])
    }
}
