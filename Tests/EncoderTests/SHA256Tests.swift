import Encoder
import Foundation
import XCTest

final class SHA256Tests: XCTestCase {
    func hex(_ s: String) -> String {
        var h = SHA256()
        h.update(Data(s.utf8))
        return h.finalizeHex()
    }

    func testKnownVectors() {
        XCTAssertEqual(hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testStreamingInPiecesEqualsOneShot() {
        let data = Data((0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        var whole = SHA256()
        whole.update(data)
        var pieces = SHA256()
        var i = 0
        for size in [1, 63, 64, 65, 7, 300, 500] where i < data.count {
            pieces.update(data[i..<min(i + size, data.count)])
            i += size
        }
        XCTAssertEqual(pieces.finalizeHex(), whole.finalizeHex())
    }
}
