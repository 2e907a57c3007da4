import Foundation
import Index
import Tensor
import XCTest
@testable import Clustering

/// Naive reference twin of eq. 5 in Double: plain loops, no GEMM.
enum NaiveTSPLoss {
    /// w: [C, D], b: [C], anchors/neighbours: [B, D] → L.
    static func value(w: [Double], b: [Double], c: Int, d: Int, anchors: [Double], neighbours: [Double], batch: Int,
                      lambda: Double, temperature: Double, prior: [Double]? = nil) -> Double {
        func probabilities(_ x: [Double], _ r: Int) -> [Double] {
            let z = (0..<c).map { j in ((0..<d).reduce(0.0) { $0 + w[j * d + $1] * x[r * d + $1] } + b[j]) / temperature }
            let m = z.max() ?? 0
            let e = z.map { exp($0 - m) }
            let s = e.reduce(0, +)
            return e.map { $0 / s }
        }
        var consistency = 0.0
        var q = [Double](repeating: 0, count: c)
        for r in 0..<batch {
            let pa = probabilities(anchors, r), pn = probabilities(neighbours, r)
            consistency -= log(zip(pa, pn).reduce(0.0) { $0 + $1.0 * $1.1 })
            for j in 0..<c { q[j] += pa[j] / Double(batch) }
        }
        let entropy = -q.reduce(0.0) { $0 + $1 * log($1) }
        // −λ·Σ qj·log(πj·C): zero for the uniform prior.
        let priorTerm = prior.map { pi in zip(q, pi).reduce(0.0) { $0 + $1.0 * log($1.1 * Double(c)) } } ?? 0
        return consistency / Double(batch) - lambda * entropy - lambda * priorTerm
    }
}

final class TSPLossTests: XCTestCase {
    func randomTensor(_ shape: [Int], scale: Float, rng: inout SplitMix64) -> Tensor {
        Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in scale * Float(rng.nextGaussian()) })
    }

    func testGradientMatchesFiniteDifferencesOfTheNaiveLoss() {
        checkGradient(prior: nil)
    }

    func testGradientWithANonUniformSizePrior() {
        checkGradient(prior: [0.4, 0.3, 0.2, 0.1])
    }

    /// The products split by rows over a pool (3 parts of 64+ rows, partial sums added) give the serial loss and gradient.
    func testLossOnAPoolMatchesTheSerialLoss() {
        var rng = SplitMix64(seed: 23)
        let c = 7, d = 12, batch = 100
        let head = ClusterHead(weight: randomTensor([c, d], scale: 0.8, rng: &rng),
                               bias: (0..<c).map { _ in Float(rng.nextGaussian()) * 0.3 }, temperature: 0.5)
        let pairs = ClusterHead.unitRows(randomTensor([2 * batch, d], scale: 1, rng: &rng))
        let serial = TSPLoss(head: head, pairs: pairs, entropyWeight: 2)
        let parallel = TSPLoss(head: head, pairs: pairs, entropyWeight: 2, pool: ComputePool(threads: 3))
        XCTAssertEqual(parallel.value, serial.value, accuracy: 1e-5)
        for (p, q) in zip(parallel.biasGradient, serial.biasGradient) { XCTAssertEqual(p, q, accuracy: 1e-6) }
        for (p, q) in zip(parallel.weightGradient, serial.weightGradient) { XCTAssertEqual(p, q, accuracy: 1e-6) }
    }

    func checkGradient(prior: [Float]?) {
        var rng = SplitMix64(seed: 17)
        let c = 4, d = 5, batch = 6
        let head = ClusterHead(weight: randomTensor([c, d], scale: 0.8, rng: &rng),
                               bias: (0..<c).map { _ in Float(rng.nextGaussian()) * 0.3 }, temperature: 0.7)
        let anchors = ClusterHead.unitRows(randomTensor([batch, d], scale: 1, rng: &rng))
        let neighbours = ClusterHead.unitRows(randomTensor([batch, d], scale: 1, rng: &rng))
        let loss = TSPLoss(head: head, anchors: anchors, neighbours: neighbours, entropyWeight: 3, prior: prior)

        let w = head.weight.data.map(Double.init), b = head.bias.map(Double.init)
        let a = anchors.data.map(Double.init), n = neighbours.data.map(Double.init)
        func naive(_ w: [Double], _ b: [Double]) -> Double {
            NaiveTSPLoss.value(w: w, b: b, c: c, d: d, anchors: a, neighbours: n, batch: batch, lambda: 3, temperature: 0.7,
                               prior: prior?.map(Double.init))
        }
        XCTAssertEqual(Double(loss.value), naive(w, b), accuracy: 1e-5)
        let h = 1e-6
        for i in 0..<(c * d) {
            var plus = w, minus = w
            plus[i] += h
            minus[i] -= h
            let numeric = (naive(plus, b) - naive(minus, b)) / (2 * h)
            XCTAssertEqual(Double(loss.weightGradient[i]), numeric, accuracy: 1e-4 + 1e-3 * abs(numeric), "∂L/∂w[\(i)]")
        }
        for j in 0..<c {
            var plus = b, minus = b
            plus[j] += h
            minus[j] -= h
            let numeric = (naive(w, plus) - naive(w, minus)) / (2 * h)
            XCTAssertEqual(Double(loss.biasGradient[j]), numeric, accuracy: 1e-4 + 1e-3 * abs(numeric), "∂L/∂b[\(j)]")
        }
    }

    func testHeadInitialisationFollowsAppendixA() {
        let centres = Tensor(shape: [2, 4], data: [3, 0, 4, 0, 0, 0, 0, 2])
        let head = ClusterHead(centres: centres)
        XCTAssertEqual(head.weight.data, [0.3, 0, 0.4, 0, 0, 0, 0, 0.5].map { Float($0) })  // Ci / (‖Ci‖·√4)
        XCTAssertEqual(head.bias, [0, 0])
        XCTAssertEqual(head.assign(Tensor(shape: [2, 4], data: [1, 0, 1, 0, 0, 0, 0.1, 5])), [0, 1])
    }

    func testNeighbourWeightsFollowEquationFour() {
        // Distances 1, 2, 3, 4 (squared L2 given as 1, 4, 9, 16): σ = 3/2, P ∝ exp(−d²/(2σ²)).
        let graph = NeighbourGraph(count: 1, k: 4, indices: [1, 2, 3, 4], distances: [1, 4, 9, 16], metric: .l2)
        let w = NeighbourWeights(graph: graph)
        let raw = [1.0, 4, 9, 16].map { exp(-$0 / (2 * 1.5 * 1.5)) }
        let total = raw.reduce(0, +)
        for j in 0..<4 { XCTAssertEqual(Double(w.probabilities[j]), raw[j] / total, accuracy: 1e-6) }
    }
}
