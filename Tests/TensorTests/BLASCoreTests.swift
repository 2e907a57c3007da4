import Tensor
import XCTest

final class BLASCoreTests: XCTestCase {
    func testFallbackCoreIsReplacedOnlyOnCapableCPUs() {
        XCTAssertEqual(BLASCore.replacement(forCore: "Prescott", vectorFeatures: 3), "SkylakeX")
        XCTAssertEqual(BLASCore.replacement(forCore: "Prescott", vectorFeatures: 1), "Haswell")
        XCTAssertNil(BLASCore.replacement(forCore: "Prescott", vectorFeatures: 0))
        XCTAssertNil(BLASCore.replacement(forCore: "Cooperlake", vectorFeatures: 3))
        XCTAssertNil(BLASCore.replacement(forCore: "Haswell", vectorFeatures: 1))
    }
}
