/// A dense float32 array: a shape and a contiguous row-major buffer. A plain value, no views or strides.
public struct Tensor: Sendable, Equatable {
    /// Dimensions, outermost first.
    public var shape: [Int]
    /// Elements in row-major order; `data.count == shape.reduce(1, *)`.
    public var data: [Float]

    /// A tensor over `data`; the element count must match the shape (programmer error otherwise).
    public init(shape: [Int], data: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == data.count, "shape \(shape) needs \(shape.reduce(1, *)) elements, got \(data.count)")
        self.shape = shape
        self.data = data
    }

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.init(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// Number of elements.
    public var count: Int { data.count }

    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// Rows of a matrix-like tensor: the first dimension (1 for a scalar).
    public var rows: Int { shape.first ?? 1 }

    /// Elements per row: the product of all dimensions after the first.
    public var columns: Int { shape.dropFirst().reduce(1, *) }

    /// Row `i` of a tensor viewed as `[rows, columns]`, copied.
    public func row(_ i: Int) -> [Float] {
        precondition(i >= 0 && i < rows, "row \(i) out of range 0..<\(rows)")
        return Array(data[i * columns ..< (i + 1) * columns])
    }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }
}
