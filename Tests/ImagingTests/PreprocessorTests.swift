import Foundation
import XCTest
@testable import Imaging

/// The DINO evaluation transform: geometry, normalisation, and agreement with the slow path.
final class PreprocessorTests: XCTestCase {
    let preprocessor = Preprocessor()

    func testResizedSizeFollowsTorchvision() {
        XCTAssertTrue(preprocessor.resizedSize(width: 400, height: 533) == (256, 341))
        XCTAssertTrue(preprocessor.resizedSize(width: 4032, height: 3024) == (341, 256))
        XCTAssertTrue(preprocessor.resizedSize(width: 1000, height: 1) == (256_000, 256))
    }

    func testConstantColourNormalisesToImageNetUnits() {
        let image = RGBImage(width: 300, height: 260, fill: (255, 0, 128))
        let decoded = DecodedImage(
            info: ImageInfo(format: .png, storedWidth: 300, storedHeight: 260, orientation: .up, encoding: "PNG", warnings: []),
            image: image, scaleDenominator: 1)
        let out = preprocessor.prepare(decoded)
        XCTAssertEqual(out.size, 224)
        XCTAssertEqual(out.planes.count, 3 * 224 * 224)
        let n = 224 * 224
        XCTAssertEqual(out.planes[0], (1 - 0.485) / 0.229, accuracy: 1e-5)
        XCTAssertEqual(out.planes[n + 500], (0 - 0.456) / 0.224, accuracy: 1e-5)
        XCTAssertEqual(out.planes[2 * n + n - 1], (128.0 / 255 - 0.406) / 0.225, accuracy: 1e-5)
    }

    func testCentreCropTakesTheMiddle() {
        // Left third red, middle blue, right third green: the crop of a wide image sees only blue.
        let w = 900, h = 256
        var image = RGBImage(width: w, height: h)
        for y in 0..<h {
            for x in 0..<w {
                let i = (y * w + x) * 3
                if x < 300 { image.pixels[i] = 255 } else if x < 600 { image.pixels[i + 2] = 255 } else { image.pixels[i + 1] = 255 }
            }
        }
        let info = ImageInfo(format: .png, storedWidth: w, storedHeight: h, orientation: .up, encoding: "PNG", warnings: [])
        let out = preprocessor.prepare(DecodedImage(info: info, image: image, scaleDenominator: 1))
        let n = 224 * 224
        XCTAssertEqual(out.planes[2 * n + 100], (1 - 0.406) / 0.225, accuracy: 1e-4)
        XCTAssertEqual(out.planes[100], (0 - 0.485) / 0.229, accuracy: 1e-4)
    }

    func testReducedScaleDecodeStaysCloseToFullDecode() throws {
        let path = TestData.shared + "/robustness/large/012mp-bus.jpg"
        let fast = try preprocessor.prepare(fileAt: path)
        let full = preprocessor.prepare(try ImageDecoder().decode(fileAt: path))
        var total: Float = 0
        for (a, b) in zip(fast.planes, full.planes) { total += abs(a - b) }
        let mean = total / Float(fast.planes.count)
        XCTAssertLessThan(mean, 0.01, "mean |difference| in normalised units")
    }

    func testAPanoramaIsPreparedWithoutAHugeIntermediate() throws {
        let out = try preprocessor.prepare(fileAt: TestData.shared + "/robustness/jpeg/grayscale_large.jpg")
        XCTAssertEqual(out.planes.count, 3 * 224 * 224)
    }
}
