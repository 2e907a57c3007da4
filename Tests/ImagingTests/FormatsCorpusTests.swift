import Foundation
import HerdTestSupport
import XCTest
@testable import Imaging

/// Over the whole shared formats folder and libheif's fuzzing sample, when the full shared data
/// (`../shared/data`) is beside the checkout; the committed subset is covered by the other suites.
final class FormatsCorpusTests: XCTestCase {
    private func requireSharedData() throws -> String {
        guard let full = SharedData.full else { throw XCTSkip("../shared/data is not beside this checkout") }
        return full
    }

    func testEveryFileDecodesOrSaysWhy() throws {
        let full = try requireSharedData()
        let decoder = ImageDecoder()
        let preprocessor = Preprocessor()
        var decoded = 0
        for folder in ["formats/heic", "formats/avif", "formats/webp", "formats/heic-broken", "robustness/heif"] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: full + "/" + folder)) ?? []
            for path in names.sorted().map({ full + "/\(folder)/" + $0 }) where !path.hasSuffix(".txt") {
                do {
                    let image = try decoder.decode(fileAt: path, minimumShortSide: preprocessor.minimumDecodeShortSide)
                    XCTAssertFalse(folder.hasSuffix("broken"), "a broken file decoded: \(path)")
                    XCTAssertEqual(preprocessor.prepare(image).planes.count, 3 * 224 * 224)
                    decoded += 1
                } catch let error as ImagingError {
                    XCTAssertFalse(folder.hasPrefix("formats/") && !folder.hasSuffix("broken"), "\(error)")
                    XCTAssertEqual(error.path, path)
                    XCTAssertTrue(HEIFDecodingTests.isReadable(error.message), "\(path): \(error.message)")
                }
            }
        }
        XCTAssertGreaterThan(decoded, 40)
    }

    func testThe200MegapixelHEICIsRefusedWithoutAllocatingIt() throws {
        let path = try requireSharedData() + "/formats/heic-broken/200MP.heic"
        let before = Self.peakResidentBytes()
        XCTAssertThrowsError(try ImageDecoder().decode(fileAt: path)) { error in
            XCTAssertEqual((error as? ImagingError)?.kind, .tooLarge)
            XCTAssertTrue(String(describing: error).contains("12240×16320"), "\(error)")
        }
        // Decoding it would need 600 MB for RGB alone; refusing it costs about the file's size.
        XCTAssertLessThan(Self.peakResidentBytes() - before, 100 << 20)
    }

    func testTheSpatialPhotoGivesItsPrimaryImage() throws {
        let decoded = try ImageDecoder().decode(fileAt: try requireSharedData() + "/formats/heic/spatial_photo.heic")
        XCTAssertEqual([decoded.image.width, decoded.image.height], [2560, 2560])
        XCTAssertTrue(decoded.info.encoding.contains("primary image of 2"), decoded.info.encoding)
        XCTAssertEqual(decoded.info.takenAt, "2024-04-22T14:38:09", "its date carries a zone after the seconds")
        XCTAssertEqual(decoded.info.warnings, [])
    }

    /// The process's peak resident set so far (getrusage reports KiB on Linux).
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }
}
