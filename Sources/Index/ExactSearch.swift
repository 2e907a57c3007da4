import Dispatch
import Foundation
import Tensor

/// Exact k-nearest-neighbour search by blocked GEMM: the oracle for HNSW and the method for small libraries.
/// Distances are computed a block of query rows at a time ([block, N] scores), never as an N×N matrix.
public enum ExactSearch {
    /// x: [N, D] → for every row its k nearest other rows (k is clamped to N − 1).
    public static func graph(_ x: Tensor, k: Int, metric: Metric) -> NeighbourGraph {
        precondition(x.rank == 2, "x must be [N, D], got \(x.shape)")
        let prepared = prepare(x, metric: metric)
        return search(queries: prepared, base: prepared, excludeSelf: true, k: k, metric: metric)
    }

    /// queries: [Q, D], base: [N, D] → for every query its k nearest base rows (k is clamped to N).
    public static func search(queries: Tensor, base: Tensor, k: Int, metric: Metric) -> NeighbourGraph {
        precondition(queries.rank == 2 && base.rank == 2 && queries.shape[1] == base.shape[1],
                     "queries \(queries.shape) vs base \(base.shape)")
        return search(queries: prepare(queries, metric: metric), base: prepare(base, metric: metric),
                      excludeSelf: false, k: k, metric: metric)
    }

    /// Rows scaled to unit length for cosine; unchanged for l2.
    static func prepare(_ x: Tensor, metric: Metric) -> Tensor {
        guard metric == .cosine else { return x }
        var out = x
        VectorKernels.normaliseRows(&out.data, dimension: x.columns)
        return out
    }

    /// queries: [Q, D], base: [N, D], already prepared → [Q, k] nearest base rows.
    static func search(queries: Tensor, base: Tensor, excludeSelf: Bool, k: Int, metric: Metric) -> NeighbourGraph {
        let q = queries.rows, n = base.rows, d = base.columns
        let kk = max(0, min(k, excludeSelf ? n - 1 : n))
        var indices = [Int32](repeating: 0, count: q * kk)
        var distances = [Float](repeating: 0, count: q * kk)
        guard kk > 0, q > 0 else {
            return NeighbourGraph(count: q, k: kk, indices: indices, distances: distances, metric: metric)
        }
        let baseNorms = squaredNorms(base), queryNorms = squaredNorms(queries)
        // About 64 MiB of scores per block, at least one row.
        let block = max(1, min(q, (16 << 20) / max(n, 1)))
        var scores = [Float](repeating: 0, count: block * n)
        let threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
        queries.data.withUnsafeBufferPointer { qp in
            base.data.withUnsafeBufferPointer { bp in
                scores.withUnsafeMutableBufferPointer { sp in
                    indices.withUnsafeMutableBufferPointer { ip in
                        distances.withUnsafeMutableBufferPointer { dp in
                            guard let qb = qp.baseAddress, let bb = bp.baseAddress, let sb = sp.baseAddress,
                                  let ib = ip.baseAddress, let db = dp.baseAddress else { return }
                            let rows = BlockRows(
                                scores: sb, indices: ib, distances: db, queryNorms: queryNorms, baseNorms: baseNorms,
                                n: n, k: kk, metric: metric, excludeSelf: excludeSelf)
                            var start = 0
                            while start < q {
                                let m = min(block, q - start)
                                // scores[r, j] = queries[start + r] · base[j]: [m, D] · [N, D]ᵀ → [m, N]
                                Gemm.sgemm(transB: true, m: m, n: n, k: d, a: qb + start * d, lda: d,
                                           b: bb, ldb: d, c: sb, ldc: n)
                                let chunks = min(m, threads * 4)
                                let first = start
                                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                                    let lo = c * m / chunks, hi = (c + 1) * m / chunks
                                    for r in lo..<hi { rows.select(row: r, queryRow: first + r) }
                                }
                                start += m
                            }
                        }
                    }
                }
            }
        }
        return NeighbourGraph(count: q, k: kk, indices: indices, distances: distances, metric: metric)
    }

    /// x: [N, D] → ‖x_i‖²: [N] (also k-means' distance expansion in Clustering).
    public static func squaredNorms(_ x: Tensor) -> [Float] {
        let n = x.rows, d = x.columns
        var out = [Float](repeating: 0, count: n)
        x.data.withUnsafeBufferPointer { p in
            guard let b = p.baseAddress else { return }
            for i in 0..<n { out[i] = VectorKernels.dot(b + i * d, b + i * d, d) }
        }
        return out
    }
}

/// Per-row top-k selection over one block of scores. Rows are disjoint, so threads share it safely.
private struct BlockRows: @unchecked Sendable {
    // @unchecked: raw pointers into buffers that outlive the concurrentPerform call; each row
    // writes only its own [k] slice of indices and distances.
    let scores: UnsafeMutablePointer<Float>
    let indices: UnsafeMutablePointer<Int32>
    let distances: UnsafeMutablePointer<Float>
    let queryNorms: [Float]
    let baseNorms: [Float]
    let n: Int
    let k: Int
    let metric: Metric
    let excludeSelf: Bool

    /// scores row r: [N] → indices/distances row queryRow: [k], ascending.
    func select(row r: Int, queryRow: Int) {
        let s = scores + r * n
        var top = TopK(k: k, dist: distances + queryRow * k, ids: indices + queryRow * k)
        let skip = excludeSelf ? queryRow : -1
        switch metric {
        case .cosine:
            for j in 0..<n where j != skip {
                let dist = 1 - s[j]
                if dist <= top.bound { top.offer(dist, Int32(j)) }
            }
        case .l2:
            let qn = queryNorms[queryRow]
            baseNorms.withUnsafeBufferPointer { bn in
                for j in 0..<n where j != skip {
                    let dist = max(0, qn + bn[j] - 2 * s[j])
                    if dist <= top.bound { top.offer(dist, Int32(j)) }
                }
            }
        }
        top.sortAscending()
    }
}
