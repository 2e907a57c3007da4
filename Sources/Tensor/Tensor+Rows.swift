/// Row-wise reductions of a tensor viewed as `[rows, columns]`: the one softmax and the one argmax of herd.
extension Tensor {
    /// Softmax of every row (of `scale` · x), in place, the maximum subtracted first; scale must be positive.
    public mutating func softmaxRows(scale: Float = 1) {
        let (n, c) = (rows, columns)
        guard n > 0, c > 0 else { return }
        data.withUnsafeMutableBufferPointer { Softmax.rows($0.baseAddress.unsafelyUnwrapped, rows: n, cols: c, scale: scale) }
    }

    /// The largest entry of every row: its column and value (the first column on ties). Empty rows give column 0
    /// and -∞.
    public func rowMaxima() -> [(column: Int, value: Float)] {
        let c = columns
        return (0..<rows).map { i in
            var best = 0, value = c > 0 ? data[i * c] : -Float.infinity
            for j in 1..<max(c, 1) where data[i * c + j] > value {
                best = j
                value = data[i * c + j]
            }
            return (best, value)
        }
    }
}
