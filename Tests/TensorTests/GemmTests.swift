import XCTest
@testable import Tensor

final class GemmTests: XCTestCase {
    /// Deterministic pseudo-random values in [-1, 1).
    func values(_ n: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<n).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
        }
    }

    func testBLASMatchesNaiveReference() {
        let x = Tensor(shape: [37, 129], data: values(37 * 129, seed: 1))
        let w = Tensor(shape: [53, 129], data: values(53 * 129, seed: 2))
        let fast = Gemm.matmulTransposed(x, w)
        let naive = Gemm.naiveMatmulTransposed(x, w)
        XCTAssertEqual(fast.shape, [37, 53])
        for (a, b) in zip(fast.data, naive.data) { XCTAssertEqual(a, b, accuracy: 1e-4) }
    }

    func testMatmulAgreesWithTransposedForm() {
        let x = Tensor(shape: [5, 7], data: values(35, seed: 3))
        let y = Tensor(shape: [7, 4], data: values(28, seed: 4))
        var yt = Tensor(shape: [4, 7])
        for i in 0..<7 { for j in 0..<4 { yt.data[j * 7 + i] = y.data[i * 4 + j] } }
        let a = Gemm.matmul(x, y), b = Gemm.naiveMatmulTransposed(x, yt)
        for (p, q) in zip(a.data, b.data) { XCTAssertEqual(p, q, accuracy: 1e-5) }
    }

    func testBLASReportsItsCore() {
        XCTAssertFalse(BLASInfo.coreName.isEmpty)
        XCTAssertGreaterThanOrEqual(BLASInfo.threads, 1)
    }
}
