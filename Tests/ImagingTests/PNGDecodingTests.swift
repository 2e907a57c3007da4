import CPNG
import Foundation
import XCTest
@testable import Imaging

/// PNG paths, on fixtures written through the same libpng and on PngSuite.
final class PNGDecodingTests: XCTestCase {
    let decoder = ImageDecoder()

    /// Writes `pixels` (in `format`, e.g. PNG_FORMAT_RGBA) through libpng's simplified writer.
    func encodePNG(_ pixels: [UInt8], width: Int, height: Int, format: UInt32) throws -> Data {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = format
        var size = 0
        let ok1 = pixels.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, 0, nil) }
        XCTAssertNotEqual(ok1, 0)
        var out = [UInt8](repeating: 0, count: size)
        let ok2 = out.withUnsafeMutableBytes { dst in
            pixels.withUnsafeBytes { png_image_write_to_memory(&image, dst.baseAddress, &size, 0, $0.baseAddress, 0, nil) }
        }
        XCTAssertNotEqual(ok2, 0)
        return Data(out.prefix(size))
    }

    func testRGBRoundTripIsExact() throws {
        let pattern = TestData.pattern(width: 40, height: 30)
        let data = try encodePNG(pattern.pixels, width: 40, height: 30, format: UInt32(PNG_FORMAT_RGB))
        let decoded = try decoder.decode(data: data, path: "p.png")
        XCTAssertTrue(decoded.image == pattern)
        XCTAssertEqual(decoded.info.format, .png)
    }

    func testTransparentPixelsAreCompositedOnNeutralGrey() throws {
        var rgba = [UInt8](repeating: 0, count: 4 * 4 * 4)
        for i in 0..<16 {
            rgba[4 * i] = 255  // red, fully transparent in the first half, opaque in the second
            rgba[4 * i + 3] = i < 8 ? 0 : 255
        }
        let decoded = try decoder.decode(data: encodePNG(rgba, width: 4, height: 4, format: UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)), path: "a.png")
        XCTAssertTrue(decoded.image.pixel(x: 0, y: 0) == (128, 128, 128))
        XCTAssertTrue(decoded.image.pixel(x: 0, y: 3) == (255, 0, 0))
    }

    func testPngSuiteValidImagesDecode() throws {
        let valid = TestData.files(in: "robustness/pngsuite").filter { !($0 as NSString).lastPathComponent.hasPrefix("x") }
        XCTAssertGreaterThan(valid.count, 10)
        for path in valid {
            let decoded = try decoder.decode(fileAt: path)
            XCTAssertGreaterThan(decoded.image.width, 0, path)
        }
    }

    func testSixteenBitGreyStaysGrey() throws {
        let grey = try decoder.decode(fileAt: TestData.shared + "/robustness/pngsuite/basn0g16.png").image
        var distinct = Set<UInt8>()
        for i in 0..<(grey.width * grey.height) {
            XCTAssertTrue(grey.pixels[3 * i] == grey.pixels[3 * i + 1] && grey.pixels[3 * i + 1] == grey.pixels[3 * i + 2])
            distinct.insert(grey.pixels[3 * i])
        }
        XCTAssertGreaterThan(distinct.count, 16, "a 16-bit ramp keeps many levels")
    }

    func testEveryCorruptPngSuiteFileFailsWithAMessage() {
        let corrupt = TestData.files(in: "robustness/pngsuite").filter { ($0 as NSString).lastPathComponent.hasPrefix("x") }
        XCTAssertGreaterThan(corrupt.count, 10)
        for path in corrupt {
            XCTAssertThrowsError(try decoder.decode(fileAt: path), path) { error in
                let e = error as? ImagingError
                XCTAssertEqual(e?.path, path)
                XCTAssertFalse(e?.message.isEmpty ?? true, path)
            }
        }
    }

    func testPixelBudgetIsCheckedBeforeAllocating() throws {
        let data = try encodePNG([UInt8](repeating: 7, count: 300 * 200 * 3), width: 300, height: 200, format: UInt32(PNG_FORMAT_RGB))
        let strict = ImageDecoder(limits: DecodeLimits(maxPixels: 50_000))
        XCTAssertThrowsError(try strict.decode(data: data, path: "big.png")) { error in
            XCTAssertEqual((error as? ImagingError)?.kind, .tooLarge)
        }
    }

    func testTruncatedPNGIsAnError() throws {
        let data = try encodePNG(TestData.pattern(width: 64, height: 64).pixels, width: 64, height: 64, format: UInt32(PNG_FORMAT_RGB))
        XCTAssertThrowsError(try decoder.decode(data: data.prefix(data.count / 2), path: "half.png")) { error in
            XCTAssertEqual((error as? ImagingError)?.path, "half.png")
        }
    }
}
