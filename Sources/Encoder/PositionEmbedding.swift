/// Position embeddings resampled to the input's patch grid, as the reference does it.
enum PositionEmbedding {
    /// Bicubic resampling of a patch-position grid, matching `torch.nn.functional.interpolate(…,
    /// size=(outH, outW), mode="bicubic", align_corners=False)` (A = −0.75, borders clamped,
    /// no antialiasing): grid: [inH·inW, D] (row-major grid) → [outH·outW, D].
    static func bicubic(_ grid: UnsafePointer<Float>, inH: Int, inW: Int, dim: Int, outH: Int, outW: Int) -> [Float] {
        var out = [Float](repeating: 0, count: outH * outW * dim)
        let scaleY = Float(inH) / Float(outH)
        let scaleX = Float(inW) / Float(outW)
        for oy in 0..<outH {
            let (iy, wy) = taps(Float(oy), scale: scaleY)
            for ox in 0..<outW {
                let (ix, wx) = taps(Float(ox), scale: scaleX)
                let o = (oy * outW + ox) * dim
                for c in 0..<dim {
                    var value: Float = 0
                    for j in 0..<4 {
                        let row = min(max(iy - 1 + j, 0), inH - 1)
                        var across: Float = 0
                        for i in 0..<4 {
                            let col = min(max(ix - 1 + i, 0), inW - 1)
                            across += wx[i] * grid[(row * inW + col) * dim + c]
                        }
                        value += wy[j] * across
                    }
                    out[o + c] = value
                }
            }
        }
        return out
    }

    /// The first source index and the four cubic weights for output coordinate `o`.
    private static func taps(_ o: Float, scale: Float) -> (Int, [Float]) {
        let source = scale * (o + 0.5) - 0.5
        let index = source.rounded(.down)
        let t = source - index
        let a: Float = -0.75
        func near(_ x: Float) -> Float { ((a + 2) * x - (a + 3)) * x * x + 1 }
        func far(_ x: Float) -> Float { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
        return (Int(index), [far(t + 1), near(t), near(1 - t), far(2 - t)])
    }
}
