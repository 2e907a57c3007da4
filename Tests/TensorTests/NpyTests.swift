import Foundation
import HerdTestSupport
import XCTest
@testable import Tensor

final class NpyTests: XCTestCase {
    func testRoundTripFloat32() throws {
        let t = Tensor(shape: [2, 3], data: [1, -2, 3.5, 0, 1e-7, 42])
        let parsed = try Npy.parse(Npy.encode(t), path: "t.npy")
        XCTAssertEqual(parsed.dtype, .float32)
        XCTAssertEqual(parsed.shape, [2, 3])
        XCTAssertEqual(parsed.floats(), t.data)
    }

    func testRoundTripLabels() throws {
        let parsed = try Npy.parse(Npy.encode(labels: [0, 5, 19, 3]), path: "y.npy")
        XCTAssertEqual(parsed.shape, [4])
        XCTAssertEqual(parsed.integers(), [0, 5, 19, 3])
    }

    func testHeaderIsPaddedTo64Bytes() {
        let bytes = Npy.encode(Tensor(shape: [1], data: [1]))
        XCTAssertEqual((bytes.count - 4) % 64, 0)
    }

    func testRealCOILFeaturesAndLabels() throws {
        let dir = SharedData.path + "/features"
        let x = try Npy.readTensor(path: dir + "/coil20-clip-X.npy")
        XCTAssertEqual(x.shape, [1440, 512])
        let y = try Npy.read(path: dir + "/coil20-clip-y.npy")
        let labels = try XCTUnwrap(y.integers())
        XCTAssertEqual(Set(labels), Set(0..<20))
    }

    func testTruncatedFileIsRefusedWithItsName() {
        let bytes = Npy.encode(Tensor(shape: [4, 4], repeating: 1)).dropLast(8)
        XCTAssertThrowsError(try Npy.parse(Data(bytes), path: "cut.npy")) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("cut.npy") && text.contains("truncated"), text)
        }
    }

    func testNotNpyIsRefused() {
        XCTAssertThrowsError(try Npy.parse(Data("hello world".utf8), path: "x.txt")) { error in
            XCTAssertTrue(String(describing: error).contains("not a NumPy"))
        }
    }

    func testIntegerFileIsNotAFeatureTensor() throws {
        let path = NSTemporaryDirectory() + "labels-\(getpid()).npy"
        try Npy.encode(labels: [1, 2]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try Npy.readTensor(path: path)) { error in
            XCTAssertTrue(String(describing: error).contains("float32"))
        }
    }
}
