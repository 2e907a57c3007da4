import Foundation
import XCTest
@testable import Imaging

/// JPEG paths, on fixtures encoded through the same libjpeg and on real files.
final class JPEGDecodingTests: XCTestCase {
    let decoder = ImageDecoder()
    let original = TestData.pattern(width: 96, height: 64)

    func decodeEncoded(model: JPEGEncoder.Model, pixels: [UInt8], progressive: Bool = false,
                       arithmetic: Bool = false, restartRows: Int = 0) throws -> DecodedImage {
        let data = try JPEGEncoder.encode(pixels: pixels, width: 96, height: 64, model: model, quality: 95,
                                          progressive: progressive, arithmetic: arithmetic, restartRows: restartRows)
        return try decoder.decode(data: data, path: "fixture.jpg")
    }

    func testBaselineProgressiveArithmeticAndRestartsDecodeToThePattern() throws {
        let variants: [(String, Bool, Bool, Int)] = [
            ("baseline", false, false, 0), ("progressive", true, false, 0),
            ("arithmetic", false, true, 0), ("restart markers", false, false, 1),
        ]
        for (name, progressive, arithmetic, restarts) in variants {
            let decoded = try decodeEncoded(model: .rgb, pixels: original.pixels, progressive: progressive,
                                            arithmetic: arithmetic, restartRows: restarts)
            XCTAssertEqual(decoded.image.width, 96, name)
            XCTAssertEqual(decoded.image.height, 64, name)
            XCTAssertLessThan(TestData.meanDifference(decoded.image, original), 5, name)
            XCTAssertEqual(decoded.info.encoding.contains("progressive"), progressive, name)
            XCTAssertEqual(decoded.info.encoding.contains("arithmetic"), arithmetic, name)
        }
    }

    func testGreyscaleIsReplicatedToRGB() throws {
        let grey = (0..<(96 * 64)).map { UInt8(($0 % 96) * 2) }
        let decoded = try decodeEncoded(model: .gray, pixels: grey)
        XCTAssertTrue(decoded.info.encoding.contains("greyscale"))
        for i in stride(from: 0, to: 96 * 64, by: 97) {
            let (r, g, b) = decoded.image.pixel(x: i % 96, y: i / 96)
            XCTAssertEqual(r, g)
            XCTAssertEqual(g, b)
            XCTAssertLessThan(abs(Int(r) - Int(grey[i])), 4)
        }
    }

    /// Photoshop stores CMYK inverted and marks the file with an Adobe segment; libjpeg writes that
    /// segment, so inverted values given to the encoder make a file like Photoshop's.
    func adobeCMYK(of image: RGBImage) -> [UInt8] {
        var cmyk = [UInt8](repeating: 0, count: image.width * image.height * 4)
        for i in 0..<(image.width * image.height) {
            // C = 255 − R with K = 0; inverted storage keeps 255 − C = R.
            cmyk[4 * i] = image.pixels[3 * i]
            cmyk[4 * i + 1] = image.pixels[3 * i + 1]
            cmyk[4 * i + 2] = image.pixels[3 * i + 2]
            cmyk[4 * i + 3] = 255
        }
        return cmyk
    }

    func testAdobeInvertedCMYKAndYCCKComeOutAsRGB() throws {
        for model in [JPEGEncoder.Model.cmyk, .ycck] {
            let decoded = try decodeEncoded(model: model, pixels: adobeCMYK(of: original))
            XCTAssertLessThan(TestData.meanDifference(decoded.image, original), 5, "\(model)")
        }
    }

    func testRealCMYKAndYCCKFilesLookLikeTheirRGBTwins() throws {
        // ycck.jpg and rgb.jpg are the same picture stored two ways.
        let ycck = try decoder.decode(fileAt: TestData.shared + "/robustness/jpeg/ycck.jpg")
        let rgb = try decoder.decode(fileAt: TestData.shared + "/robustness/jpeg/rgb.jpg")
        XCTAssertTrue(ycck.info.encoding.contains("YCCK"))
        XCTAssertLessThan(TestData.meanDifference(ycck.image, rgb.image), 8)
        let cmyk = try decoder.decode(fileAt: TestData.shared + "/robustness/pillow/pil_sample_cmyk.jpg")
        XCTAssertEqual(cmyk.image.width, 100)
    }

    func testTruncatedFileIsAnErrorWithLibjpegsWords() throws {
        let data = try JPEGEncoder.encode(original)
        let cut = data.prefix(data.count * 2 / 3)
        XCTAssertThrowsError(try decoder.decode(data: cut, path: "cut.jpg")) { error in
            let e = error as? ImagingError
            XCTAssertEqual(e?.kind, .truncated)
            XCTAssertEqual(e?.path, "cut.jpg")
            XCTAssertTrue(e?.message.contains("Premature end of JPEG file") ?? false, "\(error)")
        }
    }

    func testCorruptHeaderIsAnError() throws {
        var bytes = [UInt8](try JPEGEncoder.encode(original))
        // Overwrite everything after SOI with junk markers.
        for i in 2..<min(bytes.count, 200) { bytes[i] = UInt8(truncatingIfNeeded: i &* 7) }
        XCTAssertThrowsError(try decoder.decode(data: Data(bytes), path: "junk.jpg")) { error in
            XCTAssertNotNil(error as? ImagingError, "\(error)")
        }
    }

    func testTwelveBitJPEGIsNamedUnsupported() {
        XCTAssertThrowsError(try decoder.decode(fileAt: TestData.shared + "/robustness/jpeg/monkey12.jpg")) { error in
            let e = error as? ImagingError
            XCTAssertEqual(e?.kind, .unsupportedFeature)
            XCTAssertTrue(e?.message.contains("12-bit JPEG") ?? false, "\(error)")
        }
    }

    func testPixelBudgetIsCheckedBeforeDecoding() throws {
        let big = try JPEGEncoder.encode(TestData.pattern(width: 1200, height: 1000))
        let strict = ImageDecoder(limits: DecodeLimits(maxPixels: 1_000_000))
        XCTAssertThrowsError(try strict.decode(data: big, path: "big.jpg")) { error in
            XCTAssertEqual((error as? ImagingError)?.kind, .tooLarge)
            XCTAssertTrue(String(describing: error).contains("1 MP limit"), "\(error)")
        }
        // The same file's header can still be inspected.
        XCTAssertEqual(try strict.inspect(data: big, path: "big.jpg").width, 1200)
        // A declared 65 500 × 65 500 image is refused without allocating for it.
        XCTAssertThrowsError(try decoder.decode(fileAt: TestData.shared + "/robustness/jpeg-malformed/max_size.jpg"))
    }

    func testReducedDCTScaleKeepsTheShorterSideAboveTheRequest() throws {
        let path = TestData.shared + "/robustness/large/012mp-bus.jpg"
        let small = try decoder.decode(fileAt: path, minimumShortSide: 256)
        XCTAssertEqual(small.scaleDenominator, 8)
        XCTAssertEqual(small.image.width, 504)
        XCTAssertEqual(small.image.height, 378)
        let medium = try decoder.decode(fileAt: path, minimumShortSide: 384)
        XCTAssertEqual(medium.scaleDenominator, 4)
        XCTAssertEqual(medium.info.width, 4032)
        XCTAssertEqual(medium.info.takenAt, "2024-09-28T11:03:29")
        XCTAssertEqual(medium.info.cameraMake, "Apple")
        XCTAssertEqual(medium.info.cameraModel, "iPhone 11")
        let fixture = try JPEGEncoder.encode(TestData.pattern(width: 300, height: 200))
        XCTAssertEqual(try decoder.decode(data: fixture, path: "p.jpg", minimumShortSide: 150).scaleDenominator, 1)
        XCTAssertEqual(try decoder.decode(data: fixture, path: "p.jpg", minimumShortSide: 100).scaleDenominator, 2)
    }

    func testDecodingTheSameHandleTwiceGivesTheSamePixels() throws {
        let data = try JPEGEncoder.encode(original)
        let jpeg = try JPEGHandle(data: data, path: "twice.jpg", maxMemory: 1 << 26)
        let (first, _) = try jpeg.decode(denominator: 2)
        let (second, _) = try jpeg.decode(denominator: 1)
        XCTAssertEqual(first.width, 48)
        XCTAssertEqual(second.width, 96)
        let (third, _) = try jpeg.decode(denominator: 2)
        XCTAssertTrue(first == third)
    }
}
