import Tensor

/// Seeded synthetic feature sets for tests and benchmarks, shaped like image embeddings:
/// clusters around unit-length centres, each varying along a few directions of its own plus small noise.
public enum SyntheticFeatures {
    /// → features: [count, dimension] and labels: [count] in 0..<clusters (balanced, interleaved).
    /// `spread` scales the in-cluster variation along `intrinsic` random directions; `noise` is isotropic.
    public static func clustered(
        count: Int, dimension: Int, clusters: Int, intrinsic: Int = 8,
        spread: Float = 0.35, noise: Float = 0.05, seed: UInt64
    ) -> (features: Tensor, labels: [Int]) {
        precondition(count >= 0 && dimension > 0 && clusters > 0 && intrinsic > 0)
        var rng = SplitMix64(seed: seed)
        let invSqrtD = 1 / Float(dimension).squareRoot()
        // centres: [clusters, dimension], unit length; bases: [clusters, intrinsic, dimension], ~unit rows.
        var centres = (0..<clusters * dimension).map { _ in Float(rng.nextGaussian()) }
        VectorKernels.normaliseRows(&centres, dimension: dimension)
        let bases = (0..<clusters * intrinsic * dimension).map { _ in Float(rng.nextGaussian()) * invSqrtD }
        var data = [Float](repeating: 0, count: count * dimension)
        var labels = [Int](repeating: 0, count: count)
        let scale = spread / Float(intrinsic).squareRoot()
        for i in 0..<count {
            let c = i % clusters
            labels[i] = c
            let row = i * dimension
            for d in 0..<dimension { data[row + d] = centres[c * dimension + d] + noise * invSqrtD * Float(rng.nextGaussian()) }
            for r in 0..<intrinsic {
                let z = scale * Float(rng.nextGaussian())
                let b = (c * intrinsic + r) * dimension
                for d in 0..<dimension { data[row + d] += z * bases[b + d] }
            }
        }
        return (Tensor(shape: [count, dimension], data: data), labels)
    }
}
