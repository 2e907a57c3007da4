import Foundation
import Imaging
import XCTest

final class PerceptualHashTests: XCTestCase {
    /// The separable DCT against the naive double sum, X[u, v] = Σ_y Σ_x x[y, x] cos(π(2y+1)u/64) cos(π(2x+1)v/64).
    func testSeparableDCTMatchesTheNaiveDoubleSum() {
        var generator = SystemRandomNumberGenerator()
        let x = (0..<1024).map { _ in Float.random(in: 0...255, using: &generator) }
        let fast = PerceptualHash.lowFrequencies(x)
        for u in 0..<8 {
            for v in 0..<8 {
                var sum = 0.0
                for y in 0..<32 {
                    for c in 0..<32 {
                        sum += Double(x[y * 32 + c]) * cos(Double.pi * Double(2 * y + 1) * Double(u) / 64)
                            * cos(Double.pi * Double(2 * c + 1) * Double(v) / 64)
                    }
                }
                XCTAssertEqual(Double(fast[u * 8 + v]), sum, accuracy: 1e-4 * max(1, abs(sum)) + 0.05, "coefficient (\(u), \(v))")
            }
        }
    }

    /// Half the bits are set (above the median), and the Hamming distance counts differing bits.
    func testSignatureSplitsAtTheMedianAndDistanceCountsBits() {
        let image = TestData.pattern(width: 97, height: 61)
        let signature = PerceptualHash.signature(of: image)
        XCTAssertEqual(signature.nonzeroBitCount, 32)
        XCTAssertEqual(PerceptualHash.distance(signature, signature), 0)
        XCTAssertEqual(PerceptualHash.distance(0b1011, 0b0110), 3)
    }

    /// Real photos: a resized, a re-encoded and a PNG copy stay within a few bits; different photos are far apart.
    func testCopiesOfARealPhotoStayCloseAndDifferentPhotosDoNot() throws {
        let decoder = ImageDecoder()
        let photos = ["dress", "hat", "pants", "shoes"].compactMap { TestData.files(in: "photos/clothing/" + $0).first }
        XCTAssertEqual(photos.count, 4, "the shared clothing photos are there")
        let images = try photos.map { try decoder.decode(fileAt: $0).image }
        let original = images[0]
        let signature = PerceptualHash.signature(of: original)
        let resized = Resampler.resize(original, width: original.width / 2, height: original.height / 2)
        let reencoded = try decoder.decode(data: JPEGEncoder.encode(original, quality: 40), path: "q40.jpg").image
        let png = try decoder.decode(data: PNGEncoder.encode(original), path: "copy.png").image
        XCTAssertEqual(png, original, "PNG is lossless")
        XCTAssertLessThanOrEqual(PerceptualHash.distance(signature, PerceptualHash.signature(of: resized)), 4)
        XCTAssertLessThanOrEqual(PerceptualHash.distance(signature, PerceptualHash.signature(of: reencoded)), 4)
        XCTAssertEqual(PerceptualHash.distance(signature, PerceptualHash.signature(of: png)), 0)
        for other in images.dropFirst() {
            XCTAssertGreaterThan(PerceptualHash.distance(signature, PerceptualHash.signature(of: other)), 12)
        }
    }

    /// The thumbnail is the centre square: a wide image's left and right ends are cut off.
    func testThumbnailIsTheCentreSquare() {
        var pixels = [UInt8]()
        for _ in 0..<100 {
            for x in 0..<300 {
                let colour: (UInt8, UInt8, UInt8) = x < 100 ? (255, 0, 0) : x < 200 ? (0, 255, 0) : (0, 0, 255)
                pixels += [colour.0, colour.1, colour.2]
            }
        }
        let thumbnail = Thumbnail.square(RGBImage(width: 300, height: 100, pixels: pixels), side: 40)
        XCTAssertEqual(thumbnail.width, 40)
        XCTAssertEqual(thumbnail.height, 40)
        for x in [2, 20, 37] {
            let p = thumbnail.pixel(x: x, y: 20)
            XCTAssertLessThan(Int(p.0) + Int(p.2), 40, "only the green middle third is left, at x = \(x): \(p)")
        }
    }
}
