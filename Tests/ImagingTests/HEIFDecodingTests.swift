import Foundation
import HerdTestSupport
import XCTest
@testable import Imaging

/// HEIC/HEIF and AVIF through libheif: transforms, primary image, bit depth, alpha, metadata, budgets.
final class HEIFDecodingTests: XCTestCase {
    let decoder = ImageDecoder()

    func testEveryAVIFTransformComesOut640x427AndAlikeTheUntransformedOne() throws {
        let reference = try decoder.decode(fileAt: TestData.sample("avif", "rot0mir0.avif")).image
        XCTAssertEqual([reference.width, reference.height], [640, 427])
        for rot in 0..<4 {
            for mir in 0..<2 where rot + mir > 0 {
                let path = TestData.sample("avif", "rot\(rot)mir\(mir).avif")
                let decoded = try decoder.decode(fileAt: path)
                XCTAssertEqual(decoded.info.format, .avif)
                XCTAssertEqual([decoded.info.width, decoded.info.height], [640, 427], path)
                XCTAssertEqual([decoded.image.width, decoded.image.height], [640, 427], path)
                // Re-encoding costs a few levels; a picture left turned or mirrored differs by tens.
                let difference = TestData.meanDifference(decoded.image, reference)
                XCTAssertLessThan(difference, 12, path)
                if mir == 1 {
                    XCTAssertGreaterThan(TestData.meanDifference(decoded.image.oriented(.upMirrored), reference),
                                         3 * difference, "a mirror would be noticed: \(path)")
                }
            }
        }
    }

    func testArrowIsUprightByItsIrotAloneNotTurnedAgainByItsExifTag() throws {
        let path = TestData.sample("heic", "arrow.heic")
        let decoded = try decoder.decode(fileAt: path)
        XCTAssertEqual([decoded.info.width, decoded.info.height], [3024, 4032])
        XCTAssertEqual([decoded.image.width, decoded.image.height], [3024, 4032])
        XCTAssertEqual(decoded.info.orientation, .up, "the EXIF tag must not be applied on top of irot")
        // The ink of an arrow pointing up spreads widest in its upper half (the head).
        let (top, bottom) = Self.inkSpread(decoded.image)
        XCTAssertGreaterThan(top, 1.3 * bottom, "arrow head not at the top: spreads \(top) vs \(bottom)")
        let (turnedTop, turnedBottom) = Self.inkSpread(decoded.image.oriented(.down))
        XCTAssertLessThan(turnedTop, turnedBottom, "the measure tells a turned arrow apart")
    }

    func testPugReportsItsCaptureTimeAndCamera() throws {
        // pug-small.heic is pug.heic at 1/8 size with its EXIF block as published.
        let small = try decoder.inspect(fileAt: TestData.sample("heic", "pug-small.heic"))
        XCTAssertEqual(small.format, .heif)
        XCTAssertEqual(small.takenAt, "2023-02-21T14:33:08")
        XCTAssertEqual(small.cameraMake, "Apple")
        XCTAssertEqual(small.cameraModel, "iPhone 13 Pro")
        let sony = try decoder.inspect(fileAt: TestData.sample("heic", "L_exif_xmp_iptc.heic"))
        XCTAssertEqual(sony.cameraMake, "SONY")
        XCTAssertNotNil(sony.takenAt)
        guard let full = SharedData.full else { return }
        let pug = try decoder.inspect(fileAt: full + "/formats/heic/pug.heic")
        XCTAssertEqual([pug.takenAt, pug.cameraMake, pug.cameraModel], ["2023-02-21T14:33:08", "Apple", "iPhone 13 Pro"])
        XCTAssertEqual([pug.width, pug.height], [4032, 3024])
    }

    func testThePrimaryImageIsDecodedNeverAThumbnail() throws {
        // Its primary item is declared a thumbnail (1197×1227) of the real image (564×870).
        let odd = try decoder.decode(fileAt: TestData.sample("heic", "invalid_id.heic"))
        XCTAssertEqual([odd.image.width, odd.image.height], [564, 870])
        // Three images, two of them carrying 32×32 and 16×16 thumbnails.
        let pug = try decoder.decode(fileAt: TestData.sample("heic", "zPug_3.heic"))
        XCTAssertEqual([pug.image.width, pug.image.height], [64, 64])
    }

    func testHighBitDepthGreyscaleAndAlphaComeOutAs8BitRGB() throws {
        let ten = try decoder.decode(fileAt: TestData.sample("heic", "RGB_10__128x128.heif"))
        XCTAssertTrue(ten.info.encoding.contains("10-bit"), ten.info.encoding)
        XCTAssertEqual([ten.image.width, ten.image.height], [128, 128])
        XCTAssertGreaterThan(Set(ten.image.pixels).count, 64, "a 10-bit image reduced to 8 bits keeps its levels")

        let grey = try decoder.decode(fileAt: TestData.sample("heic", "L_12__29x100.heif"))
        XCTAssertTrue(grey.info.encoding.contains("12-bit"), grey.info.encoding)
        XCTAssertEqual([grey.image.width, grey.image.height], [29, 100])
        for i in stride(from: 0, to: grey.image.pixels.count, by: 3) {
            XCTAssertEqual(grey.image.pixels[i], grey.image.pixels[i + 1])
            XCTAssertEqual(grey.image.pixels[i], grey.image.pixels[i + 2])
        }
        XCTAssertGreaterThan(Set(grey.image.pixels).count, 10)

        // transparency.avif is fully transparent over a fifth of its area: those pixels become the grey.
        let alpha = try decoder.decode(fileAt: TestData.sample("avif", "transparency.avif"))
        XCTAssertTrue(alpha.info.encoding.contains("alpha"))
        XCTAssertGreaterThan(Self.fraction(of: alpha.image, equalTo: PNGDecoder.background), 0.15)
    }

    func testBrokenFilesEachGetAClearReason() {
        for (name, kinds) in [("truncated.heic", [ImagingError.Kind.truncated, .corrupt]),
                              ("corrupted.hif", [.truncated, .corrupt])] {
            let path = TestData.sample("heic-broken", name)
            XCTAssertThrowsError(try decoder.decode(fileAt: path)) { error in
                guard let error = error as? ImagingError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.path, path)
                XCTAssertTrue(kinds.contains(error.kind), "\(error)")
                XCTAssertTrue(Self.isReadable(error.message), "unreadable reason: \(error.message)")
                XCTAssertTrue(error.message.contains("HEIF"), error.message)
            }
        }
    }

    func testThePixelBudgetRefusesAHugeHeaderBeforeDecoding() throws {
        // A small valid HEIF whose size box now claims 20000×10000 = 200 MP.
        let data = try Self.claimingSize(Data(contentsOf: URL(fileURLWithPath: TestData.sample("heic", "RGB_10__128x128.heif"))),
                                         from: (128, 128), to: (20000, 10000))
        let info = try decoder.inspect(data: data, path: "huge.heic")
        XCTAssertEqual([info.width, info.height], [20000, 10000], "the header is read, nothing decoded")
        XCTAssertThrowsError(try decoder.decode(data: data, path: "huge.heic")) { error in
            XCTAssertEqual((error as? ImagingError)?.kind, .tooLarge)
            XCTAssertTrue(String(describing: error).contains("100 MP limit"), "\(error)")
        }
    }

    func testTheEncoderInputReadInPlaceEqualsTheOneFromACopy() throws {
        let preprocessor = Preprocessor()
        for path in [TestData.sample("heic", "arrow.heic"), TestData.sample("avif", "rot3mir1.avif"),
                     TestData.sample("heic", "L_12__29x100.heif")] {
            let inPlace = try preprocessor.prepare(fileAt: path)
            let copied = preprocessor.prepare(try decoder.decode(fileAt: path))
            XCTAssertEqual(inPlace.planes, copied.planes, path)
        }
        // With alpha the copy (which composites) is used.
        let alpha = TestData.sample("avif", "transparency.avif")
        XCTAssertEqual(try preprocessor.prepare(fileAt: alpha).planes, preprocessor.prepare(try decoder.decode(fileAt: alpha)).planes)
    }

    // MARK: - helpers

    /// Horizontal spread (standard deviation of x) of dark pixels in the upper and lower halves.
    static func inkSpread(_ image: RGBImage) -> (top: Double, bottom: Double) {
        var halves: [[Double]] = [[], []]
        for y in stride(from: 0, to: image.height, by: 8) {
            for x in stride(from: 0, to: image.width, by: 8) {
                let (r, g, b) = image.pixel(x: x, y: y)
                if (Int(r) + Int(g) + Int(b)) / 3 < 80 { halves[y < image.height / 2 ? 0 : 1].append(Double(x)) }
            }
        }
        func spread(_ xs: [Double]) -> Double {
            guard !xs.isEmpty else { return 0 }
            let mean = xs.reduce(0, +) / Double(xs.count)
            return (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)).squareRoot()
        }
        return (spread(halves[0]), spread(halves[1]))
    }

    static func fraction(of image: RGBImage, equalTo colour: (UInt8, UInt8, UInt8)) -> Double {
        var count = 0
        for i in 0..<(image.width * image.height) where image.pixels[3 * i] == colour.0
            && image.pixels[3 * i + 1] == colour.1 && image.pixels[3 * i + 2] == colour.2 {
            count += 1
        }
        return Double(count) / Double(max(1, image.width * image.height))
    }

    /// Printable text, no control characters or replacement characters from freed C memory.
    static func isReadable(_ text: String) -> Bool {
        text.count > 10 && !text.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{FFFD}" }
    }

    /// `data` with every `ispe` box's width and height rewritten.
    static func claimingSize(_ data: Data, from: (Int, Int), to: (Int, Int)) throws -> Data {
        var bytes = [UInt8](data)
        let ispe = Array("ispe".utf8)
        func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 255), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
        var patched = 0
        for i in 0..<(bytes.count - 16) where Array(bytes[i..<i + 4]) == ispe {
            // ispe: fourcc, version+flags (4), width (4), height (4)
            guard Array(bytes[i + 8..<i + 12]) == be32(from.0), Array(bytes[i + 12..<i + 16]) == be32(from.1) else { continue }
            bytes.replaceSubrange(i + 8..<i + 12, with: be32(to.0))
            bytes.replaceSubrange(i + 12..<i + 16, with: be32(to.1))
            patched += 1
        }
        XCTAssertGreaterThan(patched, 0, "no ispe box found")
        return Data(bytes)
    }
}
