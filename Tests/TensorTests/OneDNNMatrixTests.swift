import Dispatch
import Foundation
import Synchronization
import XCTest
@testable import Tensor

/// oneDNN's bf16 matmul (with its fused bias, GELU and bf16 output) against a naive twin: inputs
/// rounded to bf16 here in Swift, products summed in Double.
final class OneDNNMatrixTests: XCTestCase {
    func bf16(_ x: Float) -> Float { BF16.rounded(x) }

    func values(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in rng.nextSignedFloat() * 2 }
    }

    /// The matrix, or a skip naming oneDNN's reason when it has no bf16 matmul on this CPU.
    func matrix(_ w: [Float], k: Int, n: Int, ldw: Int, bias: [Float]? = nil, gelu: Bool = false, bf16Output: Bool = false,
                referenceRows: Int = 197) throws -> OneDNNMatrix {
        do {
            let b = bias ?? []
            return try w.withUnsafeBufferPointer { wp in
                try b.withUnsafeBufferPointer { bp in
                    try OneDNNMatrix(packing: wp.baseAddress!, rows: k, columns: n, ldw: ldw, bias: bias == nil ? nil : bp.baseAddress,
                                     gelu: gelu, bf16Output: bf16Output, referenceRows: referenceRows)
                }
            }
        } catch {
            throw XCTSkip("oneDNN makes no bf16 matmul here (\(OneDNN.isa)): \(error)")
        }
    }

    /// GELU(v) = v/2 · (1 + erf(v/√2)) in Double.
    func gelu(_ v: Double) -> Double { 0.5 * v * (1 + erf(v / 2.0.squareRoot())) }

    /// Runs a [m, k] · [k, n] product and returns the largest error relative to Σ|a·w| (+|bias|) of
    /// its element, against the naive twin.
    func worstError(m: Int, n: Int, k: Int, bias: Bool = false, gelu applyGELU: Bool = false, bf16Output: Bool = false,
                    seed: UInt64, using made: OneDNNMatrix? = nil, a given: [Float]? = nil, w givenW: [Float]? = nil) throws -> Double {
        let ldw = n + 5
        let a = given ?? values(m * k, seed: seed), w = givenW ?? values(k * ldw, seed: seed + 1)
        let b = bias ? values(n, seed: seed + 2) : nil
        let x = try made ?? matrix(w, k: k, n: n, ldw: ldw, bias: b, gelu: applyGELU, bf16Output: bf16Output)
        var aBits = [UInt16](repeating: 0, count: m * k)
        a.withUnsafeBufferPointer { ap in aBits.withUnsafeMutableBufferPointer { BF16.convert(ap.baseAddress!, rows: m, cols: k, into: $0.baseAddress!) } }
        var got = [Float](repeating: 0, count: m * n)
        if bf16Output {
            var bits = [UInt16](repeating: 0, count: m * n)
            aBits.withUnsafeBufferPointer { ap in bits.withUnsafeMutableBytes { x.multiply(m: m, a: ap.baseAddress!, lda: k, c: $0.baseAddress!, ldc: n) } }
            got = bits.map { Float(bitPattern: UInt32($0) << 16) }
        } else {
            aBits.withUnsafeBufferPointer { ap in got.withUnsafeMutableBytes { x.multiply(m: m, a: ap.baseAddress!, lda: k, c: $0.baseAddress!, ldc: n) } }
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = b.map { Double($0[j]) } ?? 0, magnitude = abs(sum)
                for p in 0..<k {
                    let term = Double(bf16(a[i * k + p])) * Double(bf16(w[p * ldw + j]))
                    sum += term
                    magnitude += abs(term)
                }
                var expected = sum
                if applyGELU { expected = gelu(sum) }
                // A bf16 output carries 8 mantissa bits: half an ulp of the value on top.
                let tolerance = 1e-5 * max(magnitude, 1) + (bf16Output ? abs(expected) / 256 : 0)
                worst = max(worst, abs(Double(got[i * n + j]) - expected) / tolerance)
            }
        }
        return worst
    }

    func testProductsMatchTheNaiveTwinOnEncoderLikeShapes() throws {
        for (m, n, k) in [(1, 64, 32), (7, 96, 48), (197, 384, 384), (33, 1536 / 8, 384), (5, 77, 1000), (200, 130, 64)] {
            let worst = try worstError(m: m, n: n, k: k, seed: UInt64(m * 7 + n))
            XCTAssertLessThan(worst, 1, "m \(m) n \(n) k \(k): error \(worst) of the tolerance")
        }
    }

    func testFusedBiasAndGELUAndBF16OutputMatchTheTwin() throws {
        XCTAssertLessThan(try worstError(m: 40, n: 96, k: 64, bias: true, seed: 3), 1, "bias")
        XCTAssertLessThan(try worstError(m: 40, n: 96, k: 64, bias: true, gelu: true, seed: 4), 1, "bias + GELU")
        XCTAssertLessThan(try worstError(m: 40, n: 96, k: 64, bias: true, gelu: true, bf16Output: true, seed: 5), 1, "bias + GELU → bf16")
    }

    /// One matrix serves every row count (a primitive per count, the weights laid out once), and
    /// gives each row the same values whatever the row count.
    func testOneMatrixServesEveryRowCountWithTheSameRowValues() throws {
        let k = 64, n = 48, ldw = n + 5
        let w = values(k * ldw, seed: 11), a = values(10 * k, seed: 12)
        let x = try matrix(w, k: k, n: n, ldw: ldw, referenceRows: 10)
        var bits = [UInt16](repeating: 0, count: a.count)
        a.withUnsafeBufferPointer { ap in bits.withUnsafeMutableBufferPointer { BF16.convert(ap.baseAddress!, rows: 10, cols: k, into: $0.baseAddress!) } }
        var all = [Float](repeating: 0, count: 10 * n)
        bits.withUnsafeBufferPointer { ap in all.withUnsafeMutableBytes { x.multiply(m: 10, a: ap.baseAddress!, lda: k, c: $0.baseAddress!, ldc: n) } }
        for m in [1, 3, 7] {
            var part = [Float](repeating: 0, count: m * n)
            bits.withUnsafeBufferPointer { ap in part.withUnsafeMutableBytes { x.multiply(m: m, a: ap.baseAddress!, lda: k, c: $0.baseAddress!, ldc: n) } }
            XCTAssertEqual(part, Array(all[0..<(m * n)]), "\(m) rows")
            XCTAssertLessThan(try worstError(m: m, n: n, k: k, seed: 0, using: x, a: Array(a[0..<(m * k)]), w: w), 1)
        }
    }

    /// Several threads multiplying at once, with one matrix and with different ones (as herd's lanes
    /// do: one image's fc1 while another's QKV), get what one thread gets. The encoder's ViT-S/16
    /// shapes, fused GELU and bf16 output included: with oneDNN's own scratchpads, two primitives
    /// made on one thread and run on two at once corrupted each other.
    func testConcurrentProductsAgreeWithASerialOne() throws {
        let m = 197
        let shapes: [(k: Int, n: Int, gelu: Bool)] = [(384, 1152, false), (384, 1536, true), (1536, 384, false), (768, 384, false)]
        let matrices = try shapes.enumerated().map { i, s in
            try matrix(values(s.k * s.n, seed: 60 + UInt64(i)), k: s.k, n: s.n, ldw: s.n, bias: values(s.n, seed: 70 + UInt64(i)),
                       gelu: s.gelu, bf16Output: s.gelu, referenceRows: 2 * m)
        }
        let inputs = shapes.enumerated().map { i, s -> [UInt16] in
            let a = values(m * s.k, seed: 80 + UInt64(i))
            var bits = [UInt16](repeating: 0, count: a.count)
            a.withUnsafeBufferPointer { ap in bits.withUnsafeMutableBufferPointer { BF16.convert(ap.baseAddress!, rows: m, cols: s.k, into: $0.baseAddress!) } }
            return bits
        }
        @Sendable func product(_ job: Int) -> [UInt8] {
            let i = job % shapes.count, x = matrices[i]
            var c = [UInt8](repeating: 0, count: m * x.columns * (x.bf16Output ? 2 : 4))
            inputs[i].withUnsafeBufferPointer { ap in c.withUnsafeMutableBytes { x.multiply(m: m, a: ap.baseAddress!, lda: x.rows, c: $0.baseAddress!, ldc: x.columns) } }
            return c
        }
        let jobs = 4 * shapes.count
        let serial = (0..<jobs).map(product)
        let results = Mutex<[[UInt8]]>(Array(repeating: [], count: jobs))
        DispatchQueue.concurrentPerform(iterations: jobs) { job in
            let c = product(job)
            results.withLock { $0[job] = c }
        }
        let concurrent = results.withLock { $0 }
        for job in 0..<jobs { XCTAssertTrue(concurrent[job] == serial[job], "job \(job): shape \(shapes[job % shapes.count]) differs from the serial product") }
    }

    func testConversionRoundsAsTheKernelsDo() {
        let a = values(1000, seed: 40) + [Float(bitPattern: 0x3f80_8000), Float(bitPattern: 0x3f81_8000), 0, -0, .infinity]
        var bits = [UInt16](repeating: 0, count: a.count)
        a.withUnsafeBufferPointer { ap in bits.withUnsafeMutableBufferPointer { BF16.convert(ap.baseAddress!, rows: 1, cols: a.count, into: $0.baseAddress!) } }
        XCTAssertEqual(bits.map { Float(bitPattern: UInt32($0) << 16).bitPattern }, a.map { BF16.rounded($0).bitPattern })
    }

    func testReportsWhatItDispatchesOn() throws {
        XCTAssertTrue(OneDNN.version.hasPrefix("2."), OneDNN.version)
        let x = try matrix(values(64 * 32, seed: 50), k: 64, n: 32, ldw: 32)
        // oneDNN's implementation names name their kernel family, e.g. brg:avx512_core_bf16, gemm:jit.
        XCTAssertTrue(x.implementation.contains(":"), x.implementation)
        XCTAssertGreaterThanOrEqual(x.byteCount, 64 * 32 * 2)
        if OneDNN.amx == .absent { XCTAssertFalse(x.implementation.contains("amx"), x.implementation) }
    }
}
