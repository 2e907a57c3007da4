import Foundation
import Index
import Tensor

extension KMeans {
    /// Greedy k-means++: each new centre is the best of 2 + ⌊ln k⌋ candidates drawn ∝ D².
    /// x: [N, D] → centres: [k, D].
    func seedCentres(_ x: Tensor, norms: [Float], rng: inout SplitMix64) -> Tensor {
        let n = x.rows, d = x.columns
        let trials = 2 + Int(log(Double(k)))
        var centres = Tensor(shape: [k, d])
        var first = Int(rng.next() % UInt64(n))
        copyRow(x, first, into: &centres, 0)
        var closest = squaredDistances(x, norms: norms, to: [first])[0]
        var potential = closest.reduce(0.0) { $0 + Double($1) }
        for c in 1..<k {
            var candidates: [Int] = []
            for _ in 0..<trials {
                candidates.append(sample(closest, total: potential, rng: &rng))
            }
            let distances = squaredDistances(x, norms: norms, to: candidates)
            var bestPotential = Double.infinity, bestIndex = 0
            for (t, row) in distances.enumerated() {
                var p = 0.0
                for i in 0..<n { p += Double(min(closest[i], row[i])) }
                if p < bestPotential {
                    bestPotential = p
                    bestIndex = t
                }
            }
            first = candidates[bestIndex]
            for i in 0..<n { closest[i] = min(closest[i], distances[bestIndex][i]) }
            potential = bestPotential
            copyRow(x, first, into: &centres, c)
        }
        return centres
    }

    /// An index drawn with probability ∝ weights[i] (uniform when all are zero).
    func sample(_ weights: [Float], total: Double, rng: inout SplitMix64) -> Int {
        guard total > 0 else { return Int(rng.next() % UInt64(weights.count)) }
        var target = rng.nextUnit() * total
        for (i, w) in weights.enumerated() {
            target -= Double(w)
            if target < 0 { return i }
        }
        return weights.lastIndex { $0 > 0 } ?? 0
    }

    /// x: [N, D], rows: [T] → squared distances from each chosen row to every point: [T][N].
    func squaredDistances(_ x: Tensor, norms: [Float], to rows: [Int]) -> [[Float]] {
        let d = x.columns
        var chosen = Tensor(shape: [rows.count, d])
        for (t, r) in rows.enumerated() { copyRow(x, r, into: &chosen, t) }
        let dots = Gemm.matmulTransposed(chosen, x)  // [T, D] · [N, D]ᵀ → [T, N]
        let n = x.rows
        return rows.enumerated().map { t, r in
            (0..<n).map { i in max(0, norms[r] + norms[i] - 2 * dots.data[t * n + i]) }
        }
    }

    func copyRow(_ from: Tensor, _ i: Int, into to: inout Tensor, _ j: Int) {
        let d = from.columns
        for p in 0..<d { to.data[j * d + p] = from.data[i * d + p] }
    }

    /// Lloyd iterations from `initial`: x: [N, D], centres: [k, D] → converged fit.
    func lloyd(_ x: Tensor, norms: [Float], centres initial: Tensor, threshold: Double) -> KMeansResult {
        let n = x.rows, d = x.columns
        var centres = initial
        var assignments = [Int](repeating: -1, count: n)
        var distances = [Float](repeating: 0, count: n)
        var iterations = 0
        while iterations < maxIterations {
            iterations += 1
            let changed = assign(x, norms: norms, centres: centres, to: &assignments, distances: &distances)
            var next = Tensor(shape: [k, d])
            var sizes = [Int](repeating: 0, count: k)
            for i in 0..<n {
                let c = assignments[i]
                sizes[c] += 1
                for p in 0..<d { next.data[c * d + p] += x.data[i * d + p] }
            }
            repairEmpty(x, sizes: &sizes, sums: &next, assignments: &assignments, distances: &distances)
            for c in 0..<k where sizes[c] > 0 {
                let inv = 1 / Float(sizes[c])
                for p in 0..<d { next.data[c * d + p] *= inv }
            }
            var shift = 0.0
            for i in 0..<(k * d) {
                let delta = Double(next.data[i] - centres.data[i])
                shift += delta * delta
            }
            centres = next
            if changed == 0 || shift <= threshold { break }
        }
        _ = assign(x, norms: norms, centres: centres, to: &assignments, distances: &distances)
        let inertia = distances.reduce(0.0) { $0 + Double($1) }
        return KMeansResult(centres: centres, assignments: assignments, inertia: inertia, iterations: iterations)
    }

    /// Nearest centre of every point by ‖x‖² + ‖c‖² − 2x·c. x: [N, D], centres: [k, D] → changed count.
    func assign(_ x: Tensor, norms: [Float], centres: Tensor, to assignments: inout [Int], distances: inout [Float]) -> Int {
        let n = x.rows
        let dots = Gemm.matmulTransposed(x, centres)  // [N, D] · [k, D]ᵀ → [N, k]
        let centreNorms = ExactSearch.squaredNorms(centres)
        var changed = 0
        for i in 0..<n {
            var best = 0
            var bestDistance = Float.infinity
            for c in 0..<k {
                let dist = centreNorms[c] - 2 * dots.data[i * k + c]
                if dist < bestDistance {
                    bestDistance = dist
                    best = c
                }
            }
            if assignments[i] != best { changed += 1 }
            assignments[i] = best
            distances[i] = max(0, bestDistance + norms[i])
        }
        return changed
    }

    /// Moves each empty cluster onto the point farthest from its centre (as scikit-learn does).
    func repairEmpty(_ x: Tensor, sizes: inout [Int], sums: inout Tensor, assignments: inout [Int], distances: inout [Float]) {
        let d = x.columns
        for c in 0..<k where sizes[c] == 0 {
            guard let far = distances.indices.filter({ sizes[assignments[$0]] > 1 }).max(by: { distances[$0] < distances[$1] }) else { continue }
            let old = assignments[far]
            for p in 0..<d {
                sums.data[old * d + p] -= x.data[far * d + p]
                sums.data[c * d + p] = x.data[far * d + p]
            }
            sizes[old] -= 1
            sizes[c] = 1
            assignments[far] = c
            distances[far] = 0
        }
    }
}
