/// Element-wise activations with a bias, on contiguous buffers.
public enum Activation {
    /// In place: x: [rows, cols], bias: [cols] → x = GELU(x + bias), exact (erf) form
    /// GELU(v) = v/2 · (1 + erf(v/√2)), as `torch.nn.functional.gelu` with approximate='none'.
    public static func biasGELU(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, bias: UnsafePointer<Float>) {
        let width = VectorMath.Vector.scalarCount
        for r in 0..<rows {
            let row = x + r * cols
            var i = 0
            while i + width <= cols {
                let v = UnsafeRawPointer(row + i).loadUnaligned(as: VectorMath.Vector.self)
                    + UnsafeRawPointer(bias + i).loadUnaligned(as: VectorMath.Vector.self)
                let g = 0.5 * v * (1 + VectorMath.erf(v * 0.707_106_781_186_547_5))
                UnsafeMutableRawPointer(row + i).storeBytes(of: g, as: VectorMath.Vector.self)
                i += width
            }
            while i < cols {
                var lane = VectorMath.Vector(repeating: 0)
                lane[0] = row[i] + bias[i]
                row[i] = (0.5 * lane * (1 + VectorMath.erf(lane * 0.707_106_781_186_547_5)))[0]
                i += 1
            }
        }
    }

    /// In place: x: [rows, cols], bias: [cols] → x = x + bias.
    public static func addBias(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * cols
            for i in 0..<cols { row[i] += bias[i] }
        }
    }

    /// In place: residual: [rows, cols] += scale ⊙ (y + bias), y: [rows, cols], bias/scale: [cols];
    /// scale nil means 1 (no LayerScale).
    public static func addScaledResidual(
        _ residual: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, rows: Int, cols: Int,
        bias: UnsafePointer<Float>, scale: UnsafePointer<Float>?
    ) {
        for r in 0..<rows {
            let o = residual + r * cols
            let v = y + r * cols
            if let scale {
                for i in 0..<cols { o[i] += scale[i] * (v[i] + bias[i]) }
            } else {
                for i in 0..<cols { o[i] += v[i] + bias[i] }
            }
        }
    }
}

/// Softmax over the last dimension.
public enum Softmax {
    /// In place: x: [rows, cols] (row stride `stride`, default cols) → softmax(scale · x) per row,
    /// the maximum subtracted first; scale must be positive.
    public static func rows(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, stride: Int? = nil, scale: Float = 1) {
        let ld = stride ?? cols
        let width = VectorMath.Vector.scalarCount
        let vectorEnd = cols - cols % width
        for r in 0..<rows {
            let row = x + r * ld
            var peaks = VectorMath.Vector(repeating: -.infinity)
            var i = 0
            while i < vectorEnd { peaks = VectorMath.maximum(peaks, VectorMath.load(row + i)); i += width }
            var peak = peaks.max()
            while i < cols { peak = max(peak, row[i]); i += 1 }
            var sums = VectorMath.Vector(repeating: 0)
            i = 0
            while i < vectorEnd {
                let e = VectorMath.exp((VectorMath.load(row + i) - peak) * scale)
                VectorMath.store(e, row + i)
                sums += e
                i += width
            }
            var sum = sums.sum()
            while i < cols {
                var lane = VectorMath.Vector(repeating: 0)
                lane[0] = (row[i] - peak) * scale
                let e = VectorMath.exp(lane)[0]
                row[i] = e
                sum += e
                i += 1
            }
            let inv = 1 / sum
            i = 0
            while i < vectorEnd { VectorMath.store(VectorMath.load(row + i) * inv, row + i); i += width }
            while i < cols { row[i] *= inv; i += 1 }
        }
    }
}
