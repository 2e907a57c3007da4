import CKernels
import XCTest
@testable import Tensor

/// The bf16 GEMM against a naive twin: both inputs rounded to bf16 here in Swift, products summed
/// in Double.
final class BF16MatrixTests: XCTestCase {
    /// x rounded to bf16, nearest even, denormals to zero: the rounding VCVTNE2PS2BF16 does.
    func bf16(_ x: Float) -> Float {
        let bits = x.bitPattern
        if bits & 0x7f80_0000 == 0 { return Float(bitPattern: bits & 0x8000_0000) }
        let rounded = bits &+ 0x7fff &+ ((bits >> 16) & 1)
        return Float(bitPattern: rounded & 0xffff_0000)
    }

    func values(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in rng.nextSignedFloat() * 2 }
    }

    func requireBF16() throws {
        try XCTSkipUnless(BF16.isSupported, "this CPU has no AVX512_BF16 (or the OS does not save zmm state); herd uses fp32 here")
    }

    func testRoundingIsNearestEvenLikeTheTwin() {
        let ties: [Float] = [
            Float(bitPattern: 0x3f80_8000),  // 1 + 2⁻⁸: a tie, rounds down to even 1
            Float(bitPattern: 0x3f81_8000),  // a tie that rounds up to even
            Float(bitPattern: 0x3f80_8001),  // just above a tie: up
            Float(bitPattern: 0x0001_2345), Float(bitPattern: 0x8001_2345),  // denormals: to ±0
            0, -0, .infinity, -.infinity, .greatestFiniteMagnitude, 3.14159,
        ]
        for x in ties + values(2000, seed: 9) {
            XCTAssertEqual(BF16.rounded(x).bitPattern, bf16(x).bitPattern, "\(x)")
        }
        XCTAssertEqual(BF16.rounded(Float(bitPattern: 0x3f80_8000)), 1)
        XCTAssertTrue(BF16.rounded(.nan).isNaN)
    }

    /// c (+)= a · w for one shape, with padded leading dimensions; returns the largest error
    /// relative to Σ|a·w| of its element.
    func worstError(m: Int, n: Int, k: Int, accumulate: Bool, seed: UInt64) -> Double {
        let lda = k + 3, ldw = n + 5, ldc = n + 2
        let a = values(m * lda, seed: seed), w = values(k * ldw, seed: seed + 1)
        let start = values(m * ldc, seed: seed + 2)
        let packed = w.withUnsafeBufferPointer { BF16Matrix(packing: $0.baseAddress!, rows: k, columns: n, ldw: ldw) }
        var c = start
        a.withUnsafeBufferPointer { ap in
            c.withUnsafeMutableBufferPointer { cp in
                packed.multiply(m: m, a: ap.baseAddress!, lda: lda, c: cp.baseAddress!, ldc: ldc, accumulate: accumulate)
            }
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = accumulate ? Double(start[i * ldc + j]) : 0, magnitude = abs(sum)
                for p in 0..<k {
                    let term = Double(bf16(a[i * lda + p])) * Double(bf16(w[p * ldw + j]))
                    sum += term
                    magnitude += abs(term)
                }
                worst = max(worst, abs(Double(c[i * ldc + j]) - sum) / max(magnitude, 1e-30))
            }
            for j in n..<ldc { XCTAssertEqual(c[i * ldc + j], start[i * ldc + j], "wrote past column \(n)") }
        }
        return worst
    }

    func testMatchesNaiveTwinOnManyShapes() throws {
        try requireBF16()
        // [m, n, k]: single rows and columns, odd K, N off the 32-column panel, row tails of the
        // 12-row tile, K across the 768 block, the encoder's shapes.
        let shapes = [[1, 1, 1], [1, 32, 2], [3, 17, 5], [13, 33, 7], [12, 64, 768], [25, 100, 769],
                      [1, 384, 1536], [5, 70, 1537], [11, 31, 64], [197, 96, 384], [40, 48, 2000]]
        for (index, s) in shapes.enumerated() {
            for accumulate in [false, true] {
                let error = worstError(m: s[0], n: s[1], k: s[2], accumulate: accumulate, seed: UInt64(index * 10))
                XCTAssertLessThan(error, 1e-5, "m \(s[0]) n \(s[1]) k \(s[2]) accumulate \(accumulate)")
            }
        }
    }

    func testLargeInnerDimensionOfTheMLP() throws {
        try requireBF16()
        XCTAssertLessThan(worstError(m: 30, n: 384, k: 1536, accumulate: false, seed: 77), 1e-5)
    }

    func testPackingGivesTheSameBytesOnEveryCPU() {
        // The AVX-512 packing (where the CPU has bf16) against the portable loop other CPUs run.
        for (k, n, ldw) in [(1, 1, 1), (3, 17, 20), (7, 33, 33), (384, 96, 100), (1537, 70, 75)] {
            var w = values(k * ldw, seed: UInt64(k * n))
            w[0] = Float(bitPattern: 0x0001_2345)  // a denormal: both flush it to zero
            let count = herd_bf16_packed_count(k, n)
            var fast = [UInt16](repeating: 0xABCD, count: count), portable = [UInt16](repeating: 0x1234, count: count)
            w.withUnsafeBufferPointer { wp in
                fast.withUnsafeMutableBufferPointer { herd_bf16_pack(wp.baseAddress!, k, n, ldw, $0.baseAddress!) }
                portable.withUnsafeMutableBufferPointer { herd_bf16_pack_portable(wp.baseAddress!, k, n, ldw, $0.baseAddress!) }
            }
            XCTAssertEqual(fast, portable, "k \(k) n \(n)")
        }
    }

    func testRoundsItsInputsToBF16() throws {
        try requireBF16()
        // 1 + 2⁻¹⁰ is not a bf16 value: it rounds to 1, so the product is exactly 1 and not fp32's.
        var w: [Float] = [1 + 1.0 / 1024]
        let packed = w.withUnsafeMutableBufferPointer { BF16Matrix(packing: $0.baseAddress!, rows: 1, columns: 1) }
        var c: [Float] = [0]
        let a: [Float] = [1]
        a.withUnsafeBufferPointer { ap in
            c.withUnsafeMutableBufferPointer { packed.multiply(m: 1, a: ap.baseAddress!, lda: 1, c: $0.baseAddress!, ldc: 1) }
        }
        XCTAssertEqual(c[0], 1)
        XCTAssertEqual(packed.byteCount, 2 * 32 * MemoryLayout<UInt16>.stride)
    }
}
