import Tensor

/// Exact k-nearest-neighbour search by blocked GEMM: the oracle for HNSW and the method for small libraries.
/// Distances are computed a block of query rows at a time ([block, N] scores), never as an N×N matrix.
public enum ExactSearch {
    /// x: [N, D] → for every row its k nearest other rows (k is clamped to N − 1), on `pool`'s threads.
    public static func graph(_ x: Tensor, k: Int, metric: Metric, pool: ComputePool = .serial()) -> NeighbourGraph {
        precondition(x.rank == 2, "x must be [N, D], got \(x.shape)")
        let prepared = prepare(x, metric: metric)
        return search(queries: prepared, base: prepared, excludeSelf: true, k: k, metric: metric, pool: pool)
    }

    /// queries: [Q, D], base: [N, D] → for every query its k nearest base rows (k is clamped to N), on `pool`'s threads.
    public static func search(queries: Tensor, base: Tensor, k: Int, metric: Metric, pool: ComputePool = .serial()) -> NeighbourGraph {
        precondition(queries.rank == 2 && base.rank == 2 && queries.shape[1] == base.shape[1],
                     "queries \(queries.shape) vs base \(base.shape)")
        return search(queries: prepare(queries, metric: metric), base: prepare(base, metric: metric),
                      excludeSelf: false, k: k, metric: metric, pool: pool)
    }

    /// Rows scaled to unit length for cosine; unchanged for l2.
    static func prepare(_ x: Tensor, metric: Metric) -> Tensor {
        guard metric == .cosine else { return x }
        var out = x
        VectorKernels.normaliseRows(&out.data, dimension: x.columns)
        return out
    }

    /// queries: [Q, D], base: [N, D], already prepared → [Q, k] nearest base rows. The queries are cut into blocks
    /// of rows; each pool item scores one block against the whole base (one single-threaded GEMM into its
    /// worker's scores) and selects the top k of each of its rows.
    static func search(queries: Tensor, base: Tensor, excludeSelf: Bool, k: Int, metric: Metric, pool: ComputePool) -> NeighbourGraph {
        let q = queries.rows, n = base.rows, d = base.columns
        let kk = max(0, min(k, excludeSelf ? n - 1 : n))
        var indices = [Int32](repeating: 0, count: q * kk)
        var distances = [Float](repeating: 0, count: q * kk)
        guard kk > 0, q > 0 else {
            return NeighbourGraph(count: q, k: kk, indices: indices, distances: distances, metric: metric)
        }
        let baseNorms = squaredNorms(base), queryNorms = squaredNorms(queries)
        // At most 256 rows and about 16 MiB of scores per block, at least one row; at least two blocks a thread
        // where there are enough rows, so that a thread slowed by other load takes fewer.
        let block = max(1, min(256, (4 << 20) / max(n, 1), (q + 2 * pool.threads - 1) / (2 * pool.threads)))
        let blocks = (q + block - 1) / block
        let workers = min(pool.threads, blocks)
        var scores = [Float](repeating: 0, count: workers * block * n)
        queries.data.withUnsafeBufferPointer { qp in
            base.data.withUnsafeBufferPointer { bp in
                scores.withUnsafeMutableBufferPointer { sp in
                    indices.withUnsafeMutableBufferPointer { ip in
                        distances.withUnsafeMutableBufferPointer { dp in
                            guard let qb = qp.baseAddress, let bb = bp.baseAddress, let sb = sp.baseAddress,
                                  let ib = ip.baseAddress, let db = dp.baseAddress else { return }
                            pool.forEach(blocks) { item, worker in
                                let first = item * block, m = min(block, q - first)
                                let rows = BlockRows(
                                    scores: sb + worker * block * n, indices: ib, distances: db, queryNorms: queryNorms,
                                    baseNorms: baseNorms, n: n, k: kk, metric: metric, excludeSelf: excludeSelf)
                                // scores[r, j] = queries[first + r] · base[j]: [m, D] · [N, D]ᵀ → [m, N]
                                Gemm.sgemm(transB: true, m: m, n: n, k: d, a: qb + first * d, lda: d, b: bb, ldb: d, c: rows.scores, ldc: n)
                                for r in 0..<m { rows.select(row: r, queryRow: first + r) }
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

/// Per-row top-k selection over one block of scores (one worker's); each row writes only its own [k] slice
/// of indices and distances, so the blocks of several threads never overlap.
private struct BlockRows {
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
