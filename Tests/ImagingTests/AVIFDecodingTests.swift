import Foundation
import XCTest
@testable import Imaging

/// AVIF pixels through libavif: the reference's RGB to the bit, turned by the container's transforms
/// as libheif turns them; and the planar reading of libheif's HEIF output.
final class AVIFDecodingTests: XCTestCase {
    let decoder = ImageDecoder()

    func testTurnedAVIFMatchesPillowsDecodingToTheBit() throws {
        let decoded = try decoder.decode(fileAt: TestData.sample("avif", "rot3mir1.avif"))
        XCTAssertEqual([decoded.image.width, decoded.image.height], [640, 427])
        let expected = try Data(contentsOf: URL(fileURLWithPath: TestData.fixture("pil-rot3mir1-avif-64x64-at-300x200.rgb")))
        XCTAssertEqual(decoded.image.cropped(x: 300, y: 200, width: 64, height: 64).pixels, [UInt8](expected))
    }

    func testAVIFWithAlphaMatchesPillowsDecodingOnTheSameGrey() throws {
        let decoded = try decoder.decode(fileAt: TestData.sample("avif", "transparency.avif"))
        let expected = try Data(contentsOf: URL(fileURLWithPath: TestData.fixture("pil-transparency-avif.rgb")))
        XCTAssertEqual(decoded.image.pixels, [UInt8](expected))
    }

    /// libavif converts before turning, libheif turns before converting: the pictures differ only by
    /// how chroma is upsampled (a level or two), never by a turn or a mirror (tens of levels).
    func testEveryTransformAgreesWithLibheifsOrientation() throws {
        for rot in 0..<4 {
            for mir in 0..<2 {
                let path = TestData.sample("avif", "rot\(rot)mir\(mir).avif")
                let data = try decoder.readFile(path)
                let heif = try HEIFHandle(data: data, path: path)
                let (libheif, _) = try heif.decode(background: PNGDecoder.background, maxPixels: 100_000_000)
                let libavif = try XCTUnwrap(AVIFDecoder.decode(data: data, width: heif.width, height: heif.height,
                                                               maxPixels: 100_000_000, background: PNGDecoder.background), path)
                XCTAssertEqual([libavif.width, libavif.height], [libheif.width, libheif.height], path)
                let difference = TestData.meanDifference(libavif, libheif)
                XCTAssertLessThan(difference, 1.5, path)
                XCTAssertGreaterThan(TestData.meanDifference(libavif.oriented(.upMirrored), libheif), 10 * difference, path)
                XCTAssertGreaterThan(TestData.meanDifference(libavif.oriented(.downMirrored), libheif), 10 * difference, path)
            }
        }
    }

    /// A size that disagrees with libheif's (here: a budget below the image) sends the file back to libheif.
    func testLibavifStepsAsideWhenItCannotTakeTheFile() throws {
        let path = TestData.sample("avif", "rot0mir0.avif")
        let data = try decoder.readFile(path)
        XCTAssertNil(AVIFDecoder.decode(data: data, width: 640, height: 427, maxPixels: 1000, background: (128, 128, 128)))
        XCTAssertNil(AVIFDecoder.decode(data: data, width: 427, height: 640, maxPixels: 100_000_000, background: (128, 128, 128)))
        XCTAssertNil(AVIFDecoder.decode(data: data.prefix(data.count / 2), width: 640, height: 427, maxPixels: 100_000_000,
                                        background: (128, 128, 128)))
        XCTAssertNotNil(AVIFDecoder.decode(data: data, width: 640, height: 427, maxPixels: 100_000_000, background: (128, 128, 128)))
    }

    /// Twin: rotate anticlockwise step by step, then mirror, pixel by pixel; the orientation the decoder
    /// derives must turn a picture the same way.
    func testOrientationFromIrotAndImirMatchesStepByStepTwin() {
        let picture = TestData.pattern(width: 7, height: 4)
        func rotateAnticlockwise(_ image: RGBImage) -> RGBImage {
            var out = RGBImage(width: image.height, height: image.width)
            for y in 0..<image.height {
                for x in 0..<image.width {
                    // (x, y) goes to (y, width - 1 - x) in the turned picture.
                    let (r, g, b) = image.pixel(x: x, y: y)
                    let i = ((image.width - 1 - x) * out.width + y) * 3
                    out.pixels[i] = r
                    out.pixels[i + 1] = g
                    out.pixels[i + 2] = b
                }
            }
            return out
        }
        func mirror(_ image: RGBImage, mode: Int) -> RGBImage {
            var out = image
            for y in 0..<image.height {
                for x in 0..<image.width {
                    // mode 0: top and bottom exchanged; 1: left and right.
                    let (sx, sy) = mode == 0 ? (x, image.height - 1 - y) : (image.width - 1 - x, y)
                    let (r, g, b) = image.pixel(x: sx, y: sy)
                    let i = (y * image.width + x) * 3
                    out.pixels[i] = r
                    out.pixels[i + 1] = g
                    out.pixels[i + 2] = b
                }
            }
            return out
        }
        var seen = Set<Int>()
        for rotation in 0..<4 {
            for mode in [nil, 0, 1] as [Int?] {
                var twin = picture
                for _ in 0..<rotation { twin = rotateAnticlockwise(twin) }
                if let mode { twin = mirror(twin, mode: mode) }
                let orientation = AVIFDecoder.orientation(rotation: rotation, mirror: mode)
                XCTAssertEqual(picture.oriented(orientation), twin, "irot \(rotation), imir \(String(describing: mode))")
                seen.insert(orientation.rawValue)
            }
        }
        XCTAssertEqual(seen, Set(1...8), "the twelve combinations cover the eight orientations")
    }

    /// libheif's three RGB planes hold the bytes libheif's interleaved RGB output has, on every
    /// opaque HEIC/HEIF sample (8-bit photos, grids, greyscale, 10- and 12-bit, which stay interleaved).
    func testHEIFPlanesHoldLibheifsInterleavedPixels() throws {
        var compared = 0
        for path in TestData.files(in: "formats/heic") where path.hasSuffix(".heic") || path.hasSuffix(".heif") {
            let heif = try HEIFHandle(data: try decoder.readFile(path), path: path)
            guard !heif.hasAlpha else { continue }
            let planes = try heif.withDecodedRGB(maxPixels: 100_000_000) { source, _ in (RGBImage(interleaving: source), source.pixelStep) }
            let interleaved = try heif.withDecodedRGB(maxPixels: 100_000_000, planar: false) { source, _ in RGBImage(interleaving: source) }
            XCTAssertEqual(planes.1, heif.bitDepth == 8 ? 1 : 3, path)
            XCTAssertEqual(planes.0, interleaved, path)
            compared += 1
        }
        XCTAssertGreaterThanOrEqual(compared, 3)
    }

    /// libheif's three RGB planes, read in place, resample to the same bytes as the interleaved copy.
    func testPlanarSourceResamplesLikeInterleaved() {
        let image = TestData.pattern(width: 83, height: 59)
        // Rows 90 bytes apart: the stride is wider than the picture.
        let planes: [[UInt8]] = (0..<3).map { (c: Int) -> [UInt8] in
            var plane = [UInt8](repeating: 0, count: 90 * 59)
            for y in 0..<59 {
                for x in 0..<83 { plane[y * 90 + x] = image.pixels[(y * 83 + x) * 3 + c] }
            }
            return plane
        }
        planes[0].withUnsafeBufferPointer { r in
            planes[1].withUnsafeBufferPointer { g in
                planes[2].withUnsafeBufferPointer { b in
                    let source = Resampler.Source(planes: (r.baseAddress!, g.baseAddress!, b.baseAddress!), strides: (90, 90, 90),
                                                  width: 83, height: 59)
                    XCTAssertEqual(RGBImage(interleaving: source), image)
                    for (w, h, window) in [(20, 15, (2, 3, 16, 10)), (83, 30, (0, 0, 83, 30)), (41, 59, (5, 0, 30, 59)),
                                           (150, 100, (10, 20, 100, 70))] {
                        XCTAssertEqual(Resampler.resize(source, width: w, height: h, window: window),
                                       Resampler.resize(image, width: w, height: h, window: window), "\(w)×\(h)")
                    }
                }
            }
        }
    }
}
