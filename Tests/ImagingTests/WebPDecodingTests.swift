import Foundation
import XCTest
@testable import Imaging

/// WebP through libwebp: EXIF orientation, animation, alpha, reduced-size decoding, metadata.
final class WebPDecodingTests: XCTestCase {
    let decoder = ImageDecoder()

    func testEveryOrientationExampleComesOutUprightLikeTheOriginal() throws {
        let hopper = try decoder.decode(fileAt: TestData.sample("webp", "hopper.webp"))
        XCTAssertEqual(hopper.info.format, .webp)
        for n in 2...8 {
            let path = TestData.sample("webp", "hopper_orientation_\(n).webp")
            let decoded = try decoder.decode(fileAt: path)
            XCTAssertEqual(decoded.info.orientation.rawValue, n, path)
            XCTAssertEqual([decoded.image.width, decoded.image.height], [128, 128], path)
            // Lossy re-encoding costs a few levels; the stored (unturned) pixels differ by far more.
            let upright = TestData.meanDifference(decoded.image, hopper.image)
            XCTAssertLessThan(upright, 6, path)
            let stored = decoded.image.oriented(Self.inverse(decoded.info.orientation))
            XCTAssertGreaterThan(TestData.meanDifference(stored, hopper.image), 3 * upright, "a wrong turn would be noticed: \(path)")
        }
    }

    func testAnAnimationGivesItsFirstFrameAsPillowShowsIt() throws {
        // Three different pictures as frames: iss634.webp's first frame, hopper, flower.
        let decoded = try decoder.decode(fileAt: TestData.sample("webp", "animated-3-frames.webp"))
        XCTAssertTrue(decoded.info.encoding.contains("animated"), decoded.info.encoding)
        XCTAssertEqual([decoded.image.width, decoded.image.height], [123, 123])
        let expected = try [UInt8](Data(contentsOf: URL(fileURLWithPath: TestData.fixture("animated-frame1-49x49.rgb"))))
        let first = RGBImage(width: 49, height: 49, pixels: expected)
        let small = Resampler.resize(decoded.image, width: 49, height: 49)
        XCTAssertLessThan(TestData.meanDifference(small, first), 1.0)
        let hopper = Resampler.resize(try decoder.decode(fileAt: TestData.sample("webp", "hopper.webp")).image, width: 49, height: 49)
        XCTAssertGreaterThan(TestData.meanDifference(hopper, first), 10, "another frame would be noticed")
    }

    func testTransparentPixelsAreCompositedOnTheGrey() throws {
        let decoded = try decoder.decode(fileAt: TestData.sample("webp", "transparent.webp"))
        XCTAssertTrue(decoded.info.encoding.contains("alpha"))
        // Two thirds of this picture are fully transparent.
        XCTAssertGreaterThan(HEIFDecodingTests.fraction(of: decoded.image, equalTo: PNGDecoder.background), 0.5)
    }

    func testALargeEnoughWebPIsDecodedSmallerAndStaysClose() throws {
        let path = TestData.sample("webp", "flower.webp")
        let full = try decoder.decode(fileAt: path)
        XCTAssertEqual([full.image.width, full.image.height, full.scaleDenominator], [480, 360, 1])
        let half = try decoder.decode(fileAt: path, minimumShortSide: 100)
        XCTAssertEqual([half.image.width, half.image.height, half.scaleDenominator], [240, 180, 2])
        XCTAssertEqual([half.info.width, half.info.height], [480, 360], "info keeps the full size")
        XCTAssertLessThan(TestData.meanDifference(half.image, Resampler.resize(full.image, width: 240, height: 180)), 4)
        XCTAssertEqual(try decoder.decode(fileAt: path, minimumShortSide: 200).scaleDenominator, 1)
    }

    func testCaptureTimeAndCameraComeFromTheExifChunk() throws {
        let info = try decoder.inspect(fileAt: TestData.sample("webp", "flower.webp"))
        XCTAssertEqual(info.cameraMake, "Canon")
        XCTAssertEqual(info.cameraModel, "Canon PowerShot S40")
        XCTAssertEqual(info.takenAt, "2003-12-14T12:01:44")
    }

    func testTruncatedAndDamagedWebPGiveReasons() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestData.sample("webp", "flower.webp")))
        XCTAssertThrowsError(try decoder.decode(data: data.prefix(data.count / 2), path: "half.webp")) { error in
            XCTAssertEqual((error as? ImagingError)?.kind, .truncated, "\(error)")
        }
        var damaged = [UInt8](data)
        for i in stride(from: 200, to: damaged.count, by: 97) { damaged[i] ^= 0x5A }
        // libwebp may conceal damage in lossy data; either way no crash, and a failure names the file.
        do {
            _ = try decoder.decode(data: Data(damaged), path: "bad.webp")
        } catch let error as ImagingError {
            XCTAssertEqual(error.path, "bad.webp")
        }
    }

    /// The orientation that undoes `o`.
    static func inverse(_ o: Orientation) -> Orientation {
        switch o {
        case .right: .left
        case .left: .right
        default: o
        }
    }
}
