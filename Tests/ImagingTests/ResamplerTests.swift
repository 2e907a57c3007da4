import Foundation
import XCTest
@testable import Imaging

/// The resampler against Pillow's output and against a naive floating-point twin.
final class ResamplerTests: XCTestCase {
    /// Naive reference: antialiased bicubic in Double, both directions at once, no fixed point.
    /// src: [H, W, 3] → [height, width, 3].
    func naiveResize(_ src: RGBImage, width: Int, height: Int) -> RGBImage {
        func weights(inSize: Int, outSize: Int, o: Int) -> [(Int, Double)] {
            let scale = Double(inSize) / Double(outSize), filterScale = max(scale, 1)
            let center = (Double(o) + 0.5) * scale, support = 2 * filterScale
            var taps: [(Int, Double)] = []
            for i in max(Int(center - support + 0.5), 0)..<min(Int(center + support + 0.5), inSize) {
                taps.append((i, Resampler.bicubic((Double(i) - center + 0.5) / filterScale)))
            }
            let total = taps.reduce(0) { $0 + $1.1 }
            return taps.map { ($0.0, $0.1 / total) }
        }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for oy in 0..<height {
            let wy = height == src.height ? [(oy, 1.0)] : weights(inSize: src.height, outSize: height, o: oy)
            for ox in 0..<width {
                let wx = width == src.width ? [(ox, 1.0)] : weights(inSize: src.width, outSize: width, o: ox)
                for c in 0..<3 {
                    var s = 0.0
                    for (iy, a) in wy { for (ix, b) in wx { s += a * b * Double(src.pixels[(iy * src.width + ix) * 3 + c]) } }
                    out[(oy * width + ox) * 3 + c] = UInt8(max(0, min(255, s.rounded())))
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    func testMatchesPillowExactly() throws {
        let src = TestData.pilPattern(width: 61, height: 47)
        for (w, h) in [(17, 13), (100, 80), (61, 20), (30, 47), (7, 90)] {
            let expected = try Data(contentsOf: URL(fileURLWithPath: TestData.fixture("pil-61x47-to-\(w)x\(h).rgb")))
            let ours = Resampler.resize(src, width: w, height: h)
            XCTAssertEqual(ours.pixels, [UInt8](expected), "61×47 → \(w)×\(h)")
        }
    }

    func testAgreesWithNaiveTwin() {
        let src = TestData.pattern(width: 83, height: 59)
        for (w, h) in [(20, 15), (83, 30), (150, 100), (41, 59)] {
            let fast = Resampler.resize(src, width: w, height: h)
            let naive = naiveResize(src, width: w, height: h)
            let worst = zip(fast.pixels, naive.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, 2, "83×59 → \(w)×\(h)")
        }
    }

    func testWindowEqualsFullResizeThenCrop() {
        let src = TestData.pattern(width: 97, height: 71)
        let full = Resampler.resize(src, width: 64, height: 50)
        let window = Resampler.resize(src, width: 64, height: 50, window: (7, 9, 30, 20))
        XCTAssertEqual(window, full.cropped(x: 7, y: 9, width: 30, height: 20))
    }

    func testConstantImageStaysConstant() {
        let grey = RGBImage(width: 50, height: 40, fill: (77, 130, 200))
        let out = Resampler.resize(grey, width: 13, height: 71)
        for i in 0..<(13 * 71) { XCTAssertTrue(out.pixel(x: i % 13, y: i / 13) == (77, 130, 200)) }
    }
}
