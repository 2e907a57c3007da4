import Foundation
import XCTest
@testable import Imaging

final class ContactSheetTests: XCTestCase {
    func testGridLayoutPlacesEachThumbnailInItsCell() throws {
        let red = RGBImage(width: 300, height: 150, fill: (255, 0, 0))
        let blue = RGBImage(width: 100, height: 200, fill: (0, 0, 255))
        let sheet = ContactSheet(columns: 2, cell: 64, gap: 4).render([red, blue, red])
        XCTAssertEqual(sheet.width, 2 * 64 + 3 * 4)
        XCTAssertEqual(sheet.height, 2 * 64 + 3 * 4)
        // Centre of each cell shows its photo; the letterbox above the wide red photo is background.
        XCTAssertTrue(sheet.pixel(x: 4 + 32, y: 4 + 32) == (255, 0, 0))
        XCTAssertTrue(sheet.pixel(x: 4 + 32, y: 4 + 2) == (32, 32, 32))
        XCTAssertTrue(sheet.pixel(x: 8 + 64 + 32, y: 4 + 32) == (0, 0, 255))
        XCTAssertTrue(sheet.pixel(x: 4 + 32, y: 8 + 64 + 32) == (255, 0, 0))
        // The empty fourth cell stays background.
        XCTAssertTrue(sheet.pixel(x: 8 + 64 + 32, y: 8 + 64 + 32) == (32, 32, 32))
    }

    func testSheetOfRealPhotosEncodesAsAReadableJPEG() throws {
        let decoder = ImageDecoder()
        let photos = try TestData.files(in: "photos/clothing/hat").prefix(6).map {
            try decoder.decode(fileAt: $0, minimumShortSide: 96).image
        }
        let jpeg = try JPEGEncoder.encode(ContactSheet(columns: 3, cell: 96).render(photos), quality: 85)
        let back = try decoder.decode(data: jpeg, path: "sheet.jpg")
        XCTAssertEqual(back.image.width, 3 * 96 + 4 * 4)
        XCTAssertEqual(back.image.height, 2 * 96 + 3 * 4)
    }
}
