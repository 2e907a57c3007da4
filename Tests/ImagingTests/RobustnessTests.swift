import Foundation
import XCTest
@testable import Imaging

/// Every odd, broken and hostile file gives pixels or a specific error; none stops the others.
final class RobustnessTests: XCTestCase {
    func testEveryRobustnessFileYieldsAnImageOrASpecificError() throws {
        let decoder = ImageDecoder()
        let preprocessor = Preprocessor()
        let folders = ["exif-orientation", "jpeg", "jpeg-malformed", "junk", "pillow", "pngsuite", "large", "heif"]
        var decoded = 0, failed = 0
        for folder in folders {
            for path in TestData.files(in: "robustness/" + folder) {
                do {
                    let image = try decoder.decode(fileAt: path, minimumShortSide: 1)
                    XCTAssertGreaterThan(image.image.width * image.image.height, 0, path)
                    XCTAssertEqual(try preprocessor.prepare(fileAt: path).planes.count, 3 * 224 * 224, path)
                    decoded += 1
                } catch let error as ImagingError {
                    XCTAssertEqual(error.path, path)
                    XCTAssertGreaterThan(error.message.count, 5, path)
                    failed += 1
                }
            }
        }
        XCTAssertGreaterThan(decoded, 50)
        XCTAssertGreaterThan(failed, 20)
    }

    func testFormatIsRecognisedByContentNotName() throws {
        let decoder = ImageDecoder()
        let noExtension = try decoder.inspect(fileAt: TestData.shared + "/robustness/junk/caltech_BACKGROUND_Google_tmp_noext_jpeg")
        XCTAssertEqual(noExtension.format, .jpeg)
        for (name, words) in [("lfs_pointer_image_06743.jpg", "Git LFS"), ("lfs_pointer_agricultural00.tif", "Git LFS"),
                              ("Thumbs.db", "Thumbs.db")] {
            XCTAssertThrowsError(try decoder.inspect(fileAt: TestData.shared + "/robustness/junk/" + name)) { error in
                XCTAssertEqual((error as? ImagingError)?.kind, .unsupportedFormat)
                XCTAssertTrue(String(describing: error).contains(words), "\(error)")
            }
        }
    }

    func testSniffNamesCommonNonPhotos() {
        XCTAssertEqual(ImageFormat.sniff([UInt8]()), .empty)
        let video: [UInt8] = [0, 0, 0, 24] + Array("ftypisom".utf8) + [0, 0, 2, 0] + Array("isomiso2".utf8)
        guard case .unsupported(let what) = ImageFormat.sniff(video) else { return XCTFail("MP4 not recognised") }
        XCTAssertTrue(what.contains("video"))
        guard case .unknown(let seen) = ImageFormat.sniff(Array("hello".utf8)) else { return XCTFail() }
        XCTAssertTrue(seen.contains("68 65 6C 6C 6F"))
    }

    func testMissingAndUnreadableFilesAreErrorsNotCrashes() {
        let decoder = ImageDecoder()
        XCTAssertThrowsError(try decoder.decode(fileAt: "/nonexistent/photo.jpg")) { error in
            XCTAssertEqual((error as? ImagingError)?.kind, .unreadable)
        }
        XCTAssertThrowsError(try decoder.decode(fileAt: NSTemporaryDirectory())) { error in
            XCTAssertTrue(String(describing: error).contains("not a regular file"))
        }
    }
}
