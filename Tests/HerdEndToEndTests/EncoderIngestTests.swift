import Foundation
import XCTest

/// The daemon's product path: Imaging decodes, the ViT encodes, features land in the catalogue.
final class EncoderIngestTests: XCTestCase {
    func testScanEmbedsPhotosWithTheViTAndListsBrokenOnes() throws {
        let herd = try HerdHarness()
        defer { herd.remove() }
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../EncoderTests/Fixtures/tiny-v2/model.safetensors").standardized.path
        let photos = try HerdHarness.clothingPhotos()
        try herd.copy([photos[0], photos[50]], to: "2023")
        try herd.copy([HerdBinary.sharedData + "/robustness/exif-orientation/Portrait_6.jpg",
                       HerdBinary.sharedData + "/robustness/pillow/truncated_jpeg.jpg"], to: "odd")
        let initialised = try herd.run(["init", herd.library, "--output", herd.output, "--model", model])
        XCTAssertEqual(initialised.status, 0, initialised.stderr)

        let scan = try herd.run(["scan", "--json"])
        XCTAssertEqual(scan.status, 1, "one photo is truncated: \(scan.stderr)")
        XCTAssertEqual(try herd.count("embedded"), 3)
        let failed = try herd.files(["--failed"])
        XCTAssertEqual(failed.map { ($0.path as NSString).lastPathComponent }, ["truncated_jpeg.jpg"])
        XCTAssertTrue(failed.first?.error?.contains("Premature end of JPEG file") ?? false, "\(failed)")
        // EXIF reached the catalogue.
        let portrait = try herd.files(["--path", "*Portrait_6.jpg", "--json"])
        XCTAssertEqual(portrait.count, 1)
    }
}
