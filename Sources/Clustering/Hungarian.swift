/// Minimum-cost assignment (Hungarian method with potentials, O(r²·c)), rectangular allowed.
public enum Hungarian {
    /// cost: [rows][columns] → for each row the column it takes, or nil when there are more rows than
    /// columns and the row is left out. Every column is used at most once; the total cost is minimal.
    public static func assign(cost: [[Double]]) -> [Int?] {
        let rows = cost.count
        guard rows > 0, let columns = cost.first?.count, columns > 0 else { return [Int?](repeating: nil, count: rows) }
        precondition(cost.allSatisfy { $0.count == columns }, "cost rows differ in length")
        if rows > columns {
            // Solve the transpose, where rows ≤ columns, and invert it.
            let t = (0..<columns).map { j in (0..<rows).map { i in cost[i][j] } }
            var out = [Int?](repeating: nil, count: rows)
            for (j, i) in assign(cost: t).enumerated() {
                if let i { out[i] = j }
            }
            return out
        }
        // 1-based potentials formulation: u over rows, v over columns, p[j] = row matched to column j.
        let n = rows, m = columns
        var u = [Double](repeating: 0, count: n + 1), v = [Double](repeating: 0, count: m + 1)
        var p = [Int](repeating: 0, count: m + 1), way = [Int](repeating: 0, count: m + 1)
        for i in 1...n {
            p[0] = i
            var j0 = 0
            var minv = [Double](repeating: .infinity, count: m + 1)
            var used = [Bool](repeating: false, count: m + 1)
            repeat {
                used[j0] = true
                let i0 = p[j0]
                var delta = Double.infinity, j1 = 0
                for j in 1...m where !used[j] {
                    let cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j] {
                        minv[j] = cur
                        way[j] = j0
                    }
                    if minv[j] < delta {
                        delta = minv[j]
                        j1 = j
                    }
                }
                for j in 0...m {
                    if used[j] {
                        u[p[j]] += delta
                        v[j] -= delta
                    } else {
                        minv[j] -= delta
                    }
                }
                j0 = j1
            } while p[j0] != 0
            repeat {
                let j1 = way[j0]
                p[j0] = p[j1]
                j0 = j1
            } while j0 != 0
        }
        var out = [Int?](repeating: nil, count: n)
        for j in 1...m where p[j] != 0 { out[p[j] - 1] = j - 1 }
        return out
    }
}
