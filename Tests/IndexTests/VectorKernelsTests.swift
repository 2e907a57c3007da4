import XCTest
@testable import Index
import Tensor

/// Naive reference twins of the distance kernels, accumulated in Double.
enum NaiveKernels {
    static func dot(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    static func squaredL2(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0) { $0 + (Double($1.0) - Double($1.1)) * (Double($1.0) - Double($1.1)) }
    }

    /// base: [N, D], query: [D] → k nearest rows (ties by row), skipping `skip`.
    static func knn(_ base: [[Float]], _ query: [Float], k: Int, metric: Metric, skip: Int = -1) -> [Int] {
        func unit(_ v: [Float]) -> [Float] {
            let n = Float(dot(v, v).squareRoot())
            return n > 0 ? v.map { $0 / n } : v
        }
        let q = metric == .cosine ? unit(query) : query
        let scored = base.enumerated().filter { $0.offset != skip }.map { (i, row) -> (Double, Int) in
            let r = metric == .cosine ? unit(row) : row
            return (metric == .cosine ? 1 - dot(q, r) : squaredL2(q, r), i)
        }
        return scored.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }.prefix(k).map(\.1)
    }
}

final class VectorKernelsTests: XCTestCase {
    func testKernelsMatchNaiveTwinsAtOddLengths() {
        var rng = SplitMix64(seed: 7)
        for n in [1, 7, 16, 17, 33, 384] {
            let a = (0..<n).map { _ in Float(rng.nextGaussian()) }
            let b = (0..<n).map { _ in Float(rng.nextGaussian()) }
            let dot = a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in VectorKernels.dot(ap.baseAddress!, bp.baseAddress!, n) } }
            let l2 = a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in VectorKernels.squaredL2(ap.baseAddress!, bp.baseAddress!, n) } }
            XCTAssertEqual(Double(dot), NaiveKernels.dot(a, b), accuracy: 1e-4 * Double(n))
            XCTAssertEqual(Double(l2), NaiveKernels.squaredL2(a, b), accuracy: 1e-4 * Double(n))
        }
    }
}
