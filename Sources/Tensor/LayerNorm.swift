/// Layer normalisation over the last dimension, as `torch.nn.LayerNorm`.
public enum LayerNorm {
    /// x: [rows, dim], gamma/beta: [dim] → out: [rows, dim] (out may equal x).
    /// Mean and variance (biased) are accumulated in Double per row, like PyTorch's float path
    /// accumulates in higher precision, so the result does not drift for large dims.
    public static func apply(
        _ x: UnsafePointer<Float>, rows: Int, dim: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float,
        out: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let row = x + r * dim
            var sum: Float = 0
            for i in 0..<dim { sum += row[i] }
            let mean = sum / Float(dim)
            var squares: Float = 0
            for i in 0..<dim {
                let d = row[i] - mean
                squares += d * d
            }
            let inv = 1 / (squares / Float(dim) + eps).squareRoot()
            let o = out + r * dim
            for i in 0..<dim { o[i] = (row[i] - mean) * inv * gamma[i] + beta[i] }
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
