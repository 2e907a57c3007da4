import Foundation
import XCTest
@testable import Imaging

/// EXIF parsing on hand-built TIFF blocks, on damaged ones, and on the orientation examples.
final class ExifTests: XCTestCase {
    /// A TIFF block: IFD0 with orientation, make, model and an Exif IFD holding DateTimeOriginal.
    func tiff(bigEndian: Bool, orientation: UInt16 = 6, date: String = "2021:07:04 15:30:00") -> [UInt8] {
        var out: [UInt8] = []
        func u16(_ v: UInt16) { out += bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32) { if bigEndian { u16(UInt16(v >> 16)); u16(UInt16(v & 0xFFFF)) } else { u16(UInt16(v & 0xFFFF)); u16(UInt16(v >> 16)) } }
        out += bigEndian ? [0x4D, 0x4D] : [0x49, 0x49]
        u16(42); u32(8)
        // IFD0 at 8: 4 entries (2 + 48 + 4 bytes) → data area at 62.
        let make = Array("Canon\0".utf8), model = Array("EOS 5D\0".utf8), stamp = Array((date + "\0").utf8)
        let makeAt = 62, modelAt = makeAt + make.count, exifAt = modelAt + model.count
        u16(4)
        u16(0x010F); u16(2); u32(UInt32(make.count)); u32(UInt32(makeAt))
        u16(0x0110); u16(2); u32(UInt32(model.count)); u32(UInt32(modelAt))
        u16(0x0112); u16(3); u32(1); u16(orientation); u16(0)
        u16(0x8769); u16(4); u32(1); u32(UInt32(exifAt))
        u32(0)
        out += make + model
        // Exif IFD: one entry, then the date string.
        u16(1)
        u16(0x9003); u16(2); u32(UInt32(stamp.count)); u32(UInt32(exifAt + 2 + 12 + 4))
        u32(0)
        out += stamp
        return out
    }

    func testLittleAndBigEndianBlocksGiveTheSameFacts() {
        for bigEndian in [false, true] {
            let exif = ExifReader.parse(tiff(bigEndian: bigEndian))
            XCTAssertEqual(exif.orientation, .right)
            XCTAssertEqual(exif.cameraMake, "Canon")
            XCTAssertEqual(exif.cameraModel, "EOS 5D")
            XCTAssertEqual(exif.takenAt, "2021-07-04T15:30:00")
            XCTAssertEqual(exif.warnings, [])
        }
    }

    func testBadValuesBecomeWarnings() {
        let exif = ExifReader.parse(tiff(bigEndian: false, orientation: 9, date: "2021:13:45 99:00:00"))
        XCTAssertNil(exif.orientation)
        XCTAssertNil(exif.takenAt)
        XCTAssertEqual(exif.warnings.count, 2)
    }

    func testDamagedBlocksNeverCrash() {
        let good = tiff(bigEndian: true)
        var state: UInt64 = 12345
        for round in 0..<3000 {
            var bytes = good
            let edits = 1 + round % 6
            for _ in 0..<edits {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes[Int(state >> 33) % bytes.count] = UInt8(truncatingIfNeeded: state >> 17)
            }
            if round % 5 == 0 { bytes = Array(bytes.prefix(Int(state >> 40) % bytes.count)) }
            _ = ExifReader.parse(bytes)
        }
        XCTAssertFalse(ExifReader.parse([0x49, 0x49]).warnings.isEmpty)
        XCTAssertFalse(ExifReader.parse(Array("not exif at all".utf8)).warnings.isEmpty)
    }

    func testAnIFDThatPointsToItselfIsRefused() {
        var bytes = tiff(bigEndian: false)
        // Point the Exif IFD pointer (entry 4 of IFD0, value at 8 + 2 + 3*12 + 8) back at IFD0.
        let at = 8 + 2 + 3 * 12 + 8
        bytes[at] = 8; bytes[at + 1] = 0; bytes[at + 2] = 0; bytes[at + 3] = 0
        let exif = ExifReader.parse(bytes)
        XCTAssertEqual(exif.orientation, .right)
        XCTAssertTrue(exif.warnings.contains { $0.contains("points back") }, "\(exif.warnings)")
    }

    func testOrientationExamplesComeOutUprightAndAlike() throws {
        let decoder = ImageDecoder()
        for shape in ["Landscape", "Portrait"] {
            let reference = try decoder.decode(fileAt: TestData.shared + "/robustness/exif-orientation/\(shape)_1.jpg",
                                               minimumShortSide: 100)
            for n in 0...8 {
                let path = TestData.shared + "/robustness/exif-orientation/\(shape)_\(n).jpg"
                let info = try decoder.inspect(fileAt: path)
                let (w, h) = shape == "Landscape" ? (450, 300) : (300, 450)
                XCTAssertEqual(info.width, w, path)
                XCTAssertEqual(info.height, h, path)
                XCTAssertEqual(info.orientation.rawValue, max(n, 1), path)
                let decoded = try decoder.decode(fileAt: path, minimumShortSide: 100)
                XCTAssertEqual(decoded.image.width, reference.image.width, path)
                // The same upright picture: small JPEG differences only, far below what a wrong turn gives.
                XCTAssertLessThan(TestData.meanDifference(decoded.image, reference.image), 6, path)
            }
        }
    }

    func testAWrongTurnWouldBeNoticed() throws {
        let decoder = ImageDecoder()
        let upright = try decoder.decode(fileAt: TestData.shared + "/robustness/exif-orientation/Landscape_1.jpg", minimumShortSide: 100)
        XCTAssertGreaterThan(TestData.meanDifference(upright.image, upright.image.oriented(.down)), 20)
    }

    func testOrientationTransformsMapCorners() {
        // 3×2 image whose pixels are numbered 0...5 in the red channel.
        let image = RGBImage(width: 3, height: 2, pixels: (0..<6).flatMap { [UInt8($0), 0, 0] })
        func reds(_ o: Orientation) -> [UInt8] { stride(from: 0, to: 18, by: 3).map { image.oriented(o).pixels[$0] } }
        XCTAssertEqual(reds(.upMirrored), [2, 1, 0, 5, 4, 3])
        XCTAssertEqual(reds(.down), [5, 4, 3, 2, 1, 0])
        XCTAssertEqual(reds(.downMirrored), [3, 4, 5, 0, 1, 2])
        XCTAssertEqual(reds(.leftMirrored), [0, 3, 1, 4, 2, 5])
        XCTAssertEqual(reds(.right), [3, 0, 4, 1, 5, 2])
        XCTAssertEqual(reds(.rightMirrored), [5, 2, 4, 1, 3, 0])
        XCTAssertEqual(reds(.left), [2, 5, 1, 4, 0, 3])
        XCTAssertEqual(image.oriented(.right).width, 2)
    }

    func testCaptureTimesWithAZoneAfterTheSecondsKeepTheLocalTime() {
        XCTAssertEqual(ExifReader.isoDate("2024:04:22 14:38:09"), "2024-04-22T14:38:09")
        XCTAssertEqual(ExifReader.isoDate("2024-04-22T14:38:09GMT+2"), "2024-04-22T14:38:09")
        XCTAssertNil(ExifReader.isoDate("2024:04:22 14:38:xx"))
    }
}
