import Foundation
import Tensor
import XCTest

/// The vectorised kernels against naive Double-precision twins.
final class KernelTests: XCTestCase {
    var rng = SystemRandomNumberGenerator()

    func random(_ n: Int, scale: Float = 3) -> [Float] { (0..<n).map { _ in Float.random(in: -scale...scale, using: &rng) } }

    func testExpAndErfMatchLibm() {
        var worstExp: Double = 0, worstErf: Double = 0
        var x: Float = -90
        while x < 88 {
            let v = VectorMath.Vector((0..<8).map { x + Float($0) * 0.0137 })
            let e = VectorMath.exp(v), f = VectorMath.erf(v)
            for i in 0..<8 {
                let ref = Foundation.exp(Double(v[i]))
                if ref > 1e-37 { worstExp = max(worstExp, abs(Double(e[i]) - ref) / ref) }
                worstErf = max(worstErf, abs(Double(f[i]) - Foundation.erf(Double(v[i]))))
            }
            x += 0.11
        }
        XCTAssertLessThan(worstExp, 4e-7, "exp relative error")
        XCTAssertLessThan(worstErf, 5e-7, "erf absolute error (1.5e-7 of the formula plus float32 rounding)")
        XCTAssertLessThan(VectorMath.exp(VectorMath.Vector(repeating: -200))[0], 1.3e-38)
    }

    func testLayerNormMatchesNaive() {
        let rows = 5, dim = 77
        let x = Tensor(shape: [rows, dim], data: random(rows * dim).map { $0 + 10 })
        let gamma = Tensor(shape: [dim], data: random(dim)), beta = Tensor(shape: [dim], data: random(dim))
        let got = LayerNorm.apply(x, gamma: gamma, beta: beta, eps: 1e-6)
        for r in 0..<rows {
            let row = x.row(r).map(Double.init)
            let mean = row.reduce(0, +) / Double(dim)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(dim)
            for i in 0..<dim {
                let want = (row[i] - mean) / (variance + 1e-6).squareRoot() * Double(gamma.data[i]) + Double(beta.data[i])
                XCTAssertEqual(Double(got.data[r * dim + i]), want, accuracy: 1e-4)
            }
        }
    }

    func testBiasGELUMatchesNaive() {
        let rows = 3, cols = 45
        var x = random(rows * cols, scale: 6)
        let bias = random(cols, scale: 1)
        let original = x
        x.withUnsafeMutableBufferPointer { xp in
            bias.withUnsafeBufferPointer { bp in Activation.biasGELU(xp.baseAddress!, rows: rows, cols: cols, bias: bp.baseAddress!) }
        }
        assertExactGELU(x, of: original, bias: bias)
    }

    /// x must be GELU(original + bias) with the exact erf, row by row (bias repeats every row).
    func assertExactGELU(_ x: [Float], of original: [Float], bias: [Float], file: StaticString = #filePath, line: UInt = #line) {
        for i in original.indices {
            let v = Double(original[i] + bias[i % bias.count])
            XCTAssertEqual(Double(x[i]), 0.5 * v * (1 + Foundation.erf(v / 2.0.squareRoot())), accuracy: 2e-6, file: file, line: line)
        }
    }

    func testSoftmaxMatchesNaive() {
        let rows = 4, cols = 37
        var x = random(rows * cols, scale: 20)
        let original = x
        x.withUnsafeMutableBufferPointer { Softmax.rows($0.baseAddress!, rows: rows, cols: cols, scale: 0.125) }
        for r in 0..<rows {
            let row = original[(r * cols)..<((r + 1) * cols)].map { Double($0) * 0.125 }
            let peak = row.max()!
            let total = row.map { Foundation.exp($0 - peak) }.reduce(0, +)
            for i in 0..<cols {
                XCTAssertEqual(Double(x[r * cols + i]), Foundation.exp(row[i] - peak) / total, accuracy: 1e-6)
            }
        }
    }

    func testWideGELUAndSoftmaxMatchNaive() throws {
        try XCTSkipUnless(BF16.isSupported, "this CPU has no AVX512_BF16; the wide kernels serve only the bf16 path")
        let rows = 3, cols = 45, stride = 50
        var x = random(rows * cols, scale: 6)
        let bias = random(cols, scale: 1)
        let original = x
        x.withUnsafeMutableBufferPointer { xp in
            bias.withUnsafeBufferPointer { bp in WideKernels.biasGELU(xp.baseAddress!, rows: rows, cols: cols, bias: bp.baseAddress!) }
        }
        assertExactGELU(x, of: original, bias: bias)
        var scores = random(rows * stride, scale: 20)
        let before = scores
        scores.withUnsafeMutableBufferPointer { WideKernels.softmaxRows($0.baseAddress!, rows: rows, cols: cols, stride: stride, scale: 0.125) }
        for r in 0..<rows {
            let row = before[(r * stride)..<(r * stride + cols)].map { Double($0) * 0.125 }
            let peak = row.max()!
            let total = row.map { Foundation.exp($0 - peak) }.reduce(0, +)
            for i in 0..<cols {
                XCTAssertEqual(Double(scores[r * stride + i]), Foundation.exp(row[i] - peak) / total, accuracy: 1e-6)
            }
            for i in cols..<stride { XCTAssertEqual(scores[r * stride + i], before[r * stride + i], "wrote past column \(cols)") }
        }
    }

    func testScaledResidualMatchesNaive() {
        let rows = 2, cols = 9
        var residual = random(rows * cols)
        let y = random(rows * cols), bias = random(cols), scale = random(cols)
        let original = residual
        residual.withUnsafeMutableBufferPointer { r in
            Activation.addScaledResidual(r.baseAddress!, y, rows: rows, cols: cols, bias: bias, scale: scale)
        }
        for i in 0..<(rows * cols) {
            XCTAssertEqual(residual[i], original[i] + scale[i % cols] * (y[i] + bias[i % cols]), accuracy: 1e-5)
        }
    }
}
