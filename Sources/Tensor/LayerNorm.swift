/// Layer normalisation over the last dimension, as `torch.nn.LayerNorm`.
public enum LayerNorm {
    /// x: [rows, dim], gamma/beta: [dim] → out: [rows, dim] (out may equal x). Biased variance of
    /// the centred values (two passes, as PyTorch), summed in 8 float lanes.
    public static func apply(
        _ x: UnsafePointer<Float>, rows: Int, dim: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float,
        out: UnsafeMutablePointer<Float>
    ) {
        let width = VectorMath.Vector.scalarCount
        let vectorEnd = dim - dim % width
        for r in 0..<rows {
            let row = x + r * dim
            var sums = VectorMath.Vector(repeating: 0)
            var i = 0
            while i < vectorEnd { sums += VectorMath.load(row + i); i += width }
            var sum = sums.sum()
            while i < dim { sum += row[i]; i += 1 }
            let mean = sum / Float(dim)
            var squares = VectorMath.Vector(repeating: 0)
            i = 0
            while i < vectorEnd {
                let d = VectorMath.load(row + i) - mean
                squares += d * d
                i += width
            }
            var square = squares.sum()
            while i < dim { square += (row[i] - mean) * (row[i] - mean); i += 1 }
            let inv = 1 / (square / Float(dim) + eps).squareRoot()
            let o = out + r * dim
            i = 0
            while i < vectorEnd {
                let v = (VectorMath.load(row + i) - mean) * inv * VectorMath.load(gamma + i) + VectorMath.load(beta + i)
                VectorMath.store(v, o + i)
                i += width
            }
            while i < dim { o[i] = (row[i] - mean) * inv * gamma[i] + beta[i]; i += 1 }
        }
    }

    /// Tensor form: x: [rows, dim], gamma/beta: [dim] → [rows, dim].
    public static func apply(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float) -> Tensor {
        let dim = x.shape.last ?? 0
        precondition(gamma.count == dim && beta.count == dim, "LayerNorm: x \(x.shape), gamma \(gamma.shape), beta \(beta.shape)")
        var out = Tensor(shape: x.shape)
        x.data.withUnsafeBufferPointer { xp in
            gamma.data.withUnsafeBufferPointer { gp in
                beta.data.withUnsafeBufferPointer { bp in
                    out.data.withUnsafeMutableBufferPointer { op in
                        guard let xb = xp.baseAddress, let gb = gp.baseAddress, let bb = bp.baseAddress, let ob = op.baseAddress else { return }
                        apply(xb, rows: x.count / max(dim, 1), dim: dim, gamma: gb, beta: bb, eps: eps, out: ob)
                    }
                }
            }
        }
        return out
    }
}
