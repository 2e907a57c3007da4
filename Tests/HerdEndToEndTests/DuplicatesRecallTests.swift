import Foundation
import XCTest

/// Near-duplicate recall on real photos: `herd bench duplicates` makes six variants of 40 of the 240 clothing photos
/// (50 % resize, JPEG quality 40, 5 % crop, +15 % brightness, PNG, byte copy) with herd's libjpeg/libpng code, embeds
/// every file as ingest does, and groups them as the daemon does. The encoder here is the tiny random-weight DINOv2
/// fixture (the random-weight ViT-S/16 takes minutes per hundred images in a debug build; its figures, from a
/// release build, are in Docs/BENCHMARKS.md). Its untrained features put every photo near every other (median nearest
/// different original at cosine distance ≈ 0.005), so the threshold given is that scale, not the default meant for
/// trained models. The crop's recall is reported, not required.
final class DuplicatesRecallTests: XCTestCase {
    func testVariantsLandWithTheirOriginalAndNoGroupMixesOriginals() throws {
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../EncoderTests/Fixtures/tiny-v2/model.safetensors").standardized.path
        let result = try HerdBinary.run(["bench", "duplicates", "--photos", HerdBinary.sharedData + "/photos/clothing",
                                         "--model", model, "--thresholds", "0.005", "--threads", "2", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["files"] as? Int, 240 + 40 * 6)
        let results = report["results"] as? [[String: Any]] ?? []
        let combined = try XCTUnwrap(results.first { $0["rule"] as? String == "combined" }, "\(report)")
        XCTAssertEqual(combined["mixed_groups"] as? Int, 0, "no group holds two different originals: \(combined)")
        let recall = combined["recall"] as? [String: Double] ?? [:]
        for kind in ["resize50", "jpeg40", "bright15", "png", "copy"] {
            XCTAssertGreaterThanOrEqual(recall[kind] ?? 0, 0.95, "\(kind) copies land in their original's group: \(recall)")
        }
        print("duplicates recall with the tiny fixture encoder (crop reported only): \(recall)")
    }
}
