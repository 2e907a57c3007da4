import HerdTestSupport
import Foundation
import Imaging

/// Where the tests find real files and committed fixtures.
enum TestData {
    /// The committed test data, `Tests/Data` (see `SharedData`).
    static let shared = SharedData.path

    /// A committed fixture of this test target.
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
    }

    /// A HEIC/HEIF, AVIF or WebP sample of the committed data: `formats/<folder>/<name>`.
    static func sample(_ folder: String, _ name: String) -> String {
        shared + "/formats/\(folder)/\(name)"
    }

    /// Files directly inside a folder of the shared data, sorted.
    static func files(in folder: String) -> [String] {
        let dir = shared + "/" + folder
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.sorted().map { dir + "/" + $0 }
    }

    /// A smooth RGB test pattern with some edges: easy to compress, easy to recognise.
    static func pattern(width: Int, height: Int) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                pixels[i] = UInt8(x * 255 / max(width - 1, 1))
                pixels[i + 1] = UInt8(y * 255 / max(height - 1, 1))
                pixels[i + 2] = (x / 16 + y / 16) % 2 == 0 ? 40 : 210
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The formula scripts/make_resample_fixtures.py renders with Pillow.
    static func pilPattern(width: Int, height: Int) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<3 {
                    pixels[(y * width + x) * 3 + c] = UInt8((x * 37 + y * 91 + c * 53 + ((x * y) % 17) * 11) % 256)
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Mean absolute difference per byte of two images of the same size.
    static func meanDifference(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.width == b.width && a.height == b.height)
        var total = 0
        for i in 0..<a.pixels.count { total += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
        return Double(total) / Double(max(a.pixels.count, 1))
    }
}
