import Foundation
import Index
import Tensor

/// GFLOPS of one large single-precision GEMM measured now: the peer figure that timings are read against.
func peerGFLOPS() -> Double {
    let m = 2048, n = 2048, k = 384
    let a = Tensor(shape: [m, k], repeating: 0.5), b = Tensor(shape: [n, k], repeating: 0.25)
    _ = Gemm.matmulTransposed(a, b)
    let t0 = now()
    for _ in 0..<5 { _ = Gemm.matmulTransposed(a, b) }
    return 5 * 2 * Double(m * n * k) / (now() - t0) / 1e9
}

/// Exact kNN graph of N × D clustered vectors by blocked GEMM.
func benchKNN() throws {
    printEnvironment()
    let n = intOption("n", 50_000), d = intOption("d", 384), k = intOption("k", 20)
    let (x, _) = SyntheticFeatures.clustered(count: n, dimension: d, clusters: 100, seed: 1)
    let peer = peerGFLOPS()
    let pool = benchPool()
    let t0 = now()
    let graph = ExactSearch.graph(x, k: k, metric: .cosine, pool: pool)
    let t = now() - t0
    print(String(format: "knn: %d × %d, K=%d, cosine, %d threads: %.2f s (%.0f GFLOP/s incl. selection); peer GEMM %.0f GFLOP/s",
                 n, d, k, pool.threads, t, 2 * Double(n) * Double(n) * Double(d) / t / 1e9, peer))
    _ = graph
}

/// HNSW build, recall against exact search, query speed, delete+reinsert, save/load.
func benchHNSW() throws {
    printEnvironment()
    let n = intOption("n", 100_000), d = intOption("d", 384), queries = intOption("queries", 1000), k = intOption("k", 20)
    let m = intOption("m", 16), efc = intOption("ef-construction", 200)
    let efs = option("ef", "64,128,256").split(separator: ",").compactMap { Int($0) }
    // One draw, split: base vectors, held-out queries, and vectors for the churn step, all from the same clusters.
    let churn = n / 10
    let (all, _) = SyntheticFeatures.clustered(count: n + queries + churn, dimension: d, clusters: 100, seed: 1)
    let x = Tensor(shape: [n, d], data: Array(all.data[0 ..< n * d]))
    let q = Tensor(shape: [queries, d], data: Array(all.data[n * d ..< (n + queries) * d]))
    let fresh = Tensor(shape: [churn, d], data: Array(all.data[(n + queries) * d ..< (n + queries + churn) * d]))
    let peer = peerGFLOPS()
    var index = HNSWIndex(dimension: d, metric: .cosine, m: m, efConstruction: efc, seed: 7)
    var t0 = now()
    for i in 0..<n { try index.insert(id: i, vector: x.row(i)) }
    let build = now() - t0
    print(String(format: "hnsw: %d × %d cosine, M=%d, efConstruction=%d: build %.1f s (%.0f inserts/s), %.0f bytes/vector; peer GEMM %.0f GFLOP/s",
                 n, d, m, efc, build, Double(n) / build, index.bytesPerVector, peer))
    let pool = benchPool()
    var truth = ExactSearch.search(queries: q, base: x, k: k, metric: .cosine, pool: pool)
    func measure(_ label: String, live: (Int) -> Bool) throws {
        for ef in efs {
            // Recall and single-thread speed on one thread; throughput on every CPU with a scratch each.
            var scratch = HNSWIndex.Scratch()
            var hits = 0
            let t1 = now()
            for i in 0..<queries {
                let found = try index.search(q.row(i), k: k, ef: ef, scratch: &scratch)
                let expected = Set(truth.neighbours(of: i).map(\.id).filter(live))
                hits += found.filter { expected.contains($0.id) }.count
            }
            let single = Double(queries) / (now() - t1)
            let threads = pool.threads
            let frozen = index
            let t2 = now()
            pool.forEach(threads) { t, _ in
                var s = HNSWIndex.Scratch()
                for i in stride(from: t, to: queries, by: threads) { _ = try? frozen.search(q.row(i), k: k, ef: ef, scratch: &s) }
            }
            let parallel = Double(queries) / (now() - t2)
            print(String(format: "  %@ ef=%d: recall@%d %.4f, %.0f queries/s on 1 thread, %.0f on %d", label, ef, k,
                         Double(hits) / Double(queries * k), single, parallel, threads))
        }
    }
    try measure("fresh", live: { _ in true })

    // Delete 10 %, insert as many new vectors (they reuse the deleted slots), measure again.
    t0 = now()
    for i in stride(from: 0, to: n, by: 10) { index.remove(id: i) }
    for i in 0..<churn { try index.insert(id: n + i, vector: fresh.row(i)) }
    let churnTime = now() - t0
    var base = x
    for (j, i) in stride(from: 0, to: n, by: 10).enumerated() where j < churn {
        base.data.replaceSubrange(i * d ..< (i + 1) * d, with: fresh.row(j))
    }
    // Row i of `base` now holds id i, or id n + i/10 where a deleted vector was replaced.
    truth = ExactSearch.search(queries: q, base: base, k: k, metric: .cosine, pool: pool)
    for r in 0..<truth.indices.count {
        let row = Int(truth.indices[r])
        if row % 10 == 0 { truth.indices[r] = Int32(n + row / 10) }
    }
    print(String(format: "  churn: %d deletes + %d inserts in %.1f s", n / 10, churn, churnTime))
    try measure("after churn", live: { _ in true })

    let path = FileManager.default.temporaryDirectory.appendingPathComponent("herd-bench-\(getpid()).hnsw").path
    t0 = now()
    try index.save(to: path)
    let save = now() - t0
    t0 = now()
    let loaded = try HNSWIndex(contentsOf: path)
    let load = now() - t0
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    try? FileManager.default.removeItem(atPath: path)
    print(String(format: "  save %.2f s, load %.2f s, %.1f MB, reload identical: %@", save, load, Double(size) / 1e6,
                 loaded.serialised() == index.serialised() ? "yes" : "NO"))
}
