import Foundation
import Tensor
import XCTest

/// The tensor's row-wise softmax and argmax against naive twins.
final class TensorRowsTests: XCTestCase {
    func testSoftmaxRowsOfATensorMatchTheNaiveTwin() {
        var rng = SplitMix64(seed: 7)
        let rows = 5, cols = 11
        let values = (0..<(rows * cols)).map { _ in Float(Double(rng.next() % 4001) / 100 - 20) }
        var t = Tensor(shape: [rows, cols], data: values)
        t.softmaxRows()
        for r in 0..<rows {
            let row = values[(r * cols)..<((r + 1) * cols)].map(Double.init)
            let peak = row.max() ?? 0
            let total = row.map { Foundation.exp($0 - peak) }.reduce(0, +)
            for i in 0..<cols { XCTAssertEqual(Double(t.data[r * cols + i]), Foundation.exp(row[i] - peak) / total, accuracy: 1e-6) }
        }
    }

    func testRowMaximaNameTheFirstLargestColumnLikeTheNaiveTwin() {
        var rng = SplitMix64(seed: 11)
        let rows = 40, cols = 7
        // Few distinct values, so ties are common: the first column among equals wins.
        let values = (0..<(rows * cols)).map { _ in Float(rng.next() % 4) }
        let t = Tensor(shape: [rows, cols], data: values)
        let maxima = t.rowMaxima()
        XCTAssertEqual(maxima.count, rows)
        for r in 0..<rows {
            let row = Array(values[(r * cols)..<((r + 1) * cols)])
            let peak = row.max() ?? 0
            XCTAssertEqual(maxima[r].column, row.firstIndex(of: peak))
            XCTAssertEqual(maxima[r].value, peak)
        }
        XCTAssertEqual(Tensor(shape: [2, 1], data: [3, -1]).rowMaxima().map(\.column), [0, 0], "one column")
    }
}
