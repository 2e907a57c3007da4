import XCTest
@testable import Imaging

/// HEIF, AVIF and WebP are recognised by their bytes, including brands seen in the wild.
final class FormatSniffingTests: XCTestCase {
    private func ftyp(_ major: String, _ compatible: [String]) -> [UInt8] {
        let size = 16 + 4 * compatible.count
        return [0, 0, 0, UInt8(size)] + Array("ftyp\(major)".utf8) + [0, 0, 0, 0] + Array(compatible.joined().utf8)
    }

    func testHEIFAndAVIFBrandsAreSupported() {
        XCTAssertEqual(ImageFormat.sniff(ftyp("heic", ["mif1", "heic"])), .supported(.heif))
        XCTAssertEqual(ImageFormat.sniff(ftyp("mif1", ["heic", "hevc"])), .supported(.heif))
        XCTAssertEqual(ImageFormat.sniff(ftyp("avif", ["avif", "mif1", "miaf"])), .supported(.avif))
        // A major brand of spaces with "heic" among the compatible brands (seen in fuzzed and odd files).
        XCTAssertEqual(ImageFormat.sniff(ftyp("    ", ["    ", "heic"])), .supported(.heif))
        XCTAssertEqual(ImageFormat.sniff(ftyp("mif1", ["avif"])), .supported(.avif))
    }

    func testVideosInTheSameContainerAreNot() {
        guard case .unsupported(let what) = ImageFormat.sniff(ftyp("qt  ", ["qt  "])) else { return XCTFail() }
        XCTAssertTrue(what.contains("video"), what)
        // A compatible brand past the ftyp box's end is not read.
        var short = ftyp("isom", ["iso2"])
        short += Array("heic".utf8)
        guard case .unsupported = ImageFormat.sniff(short) else { return XCTFail("read past the ftyp box") }
    }

    func testWebPIsSupported() {
        XCTAssertEqual(ImageFormat.sniff(Array("RIFF".utf8) + [1, 2, 3, 4] + Array("WEBPVP8 ".utf8)), .supported(.webp))
    }
}
