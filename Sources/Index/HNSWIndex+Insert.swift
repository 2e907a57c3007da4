import Foundation

extension HNSWIndex {
    /// Stores `vector` under `id`, replacing any vector that id had. A deleted slot is reused when
    /// there is one: it keeps its level, its old neighbours are relinked around it, then it is linked anew.
    public mutating func insert(id: Int, vector: [Float]) throws {
        try validate(vector)
        remove(id: id)
        let v = prepared(vector)
        var s = scratch
        scratch = Scratch()
        defer { scratch = s }
        if let slot = freeSlots.popLast() {
            unlink(slot, scratch: &s)
            vectors.replaceSubrange(Int(slot) * dimension ..< (Int(slot) + 1) * dimension, with: v)
            labels[Int(slot)] = Int64(id)
            deleted[Int(slot)] = 0
            slotOfID[Int64(id)] = slot
            if slot == entryPoint { chooseEntryPoint(excluding: slot) }
            link(slot, level: Int(levels[Int(slot)]), scratch: &s)
        } else {
            let slot = Int32(slots)
            let level = randomLevel()
            vectors.append(contentsOf: v)
            labels.append(Int64(id))
            levels.append(Int32(level))
            deleted.append(0)
            level0.append(contentsOf: repeatElement(0, count: stride0))
            upper.append(level > 0 ? [Int32](repeating: 0, count: level * strideUpper) : [])
            slotOfID[Int64(id)] = slot
            link(slot, level: level, scratch: &s)
        }
    }

    /// A level drawn as ⌊−ln(U)/ln(m)⌋ from the index's seeded generator.
    mutating func randomLevel() -> Int {
        let u = 1 - rng.nextUnit()  // (0, 1]
        return min(Int(-log(u) / log(Double(m))), 30)
    }

    /// Connects `slot` (vector already stored, no links) on levels 0...level.
    mutating func link(_ slot: Int32, level: Int, scratch s: inout Scratch) {
        guard entryPoint >= 0 else {
            entryPoint = slot
            maxLevel = Int32(level)
            return
        }
        let q = Array(vectors[Int(slot) * dimension ..< (Int(slot) + 1) * dimension])
        q.withUnsafeBufferPointer { qp in
            let qb = qp.baseAddress.unsafelyUnwrapped
            var cur = entryPoint
            var curDist = distance(qb, cur)
            var l = Int(maxLevel)
            while l > level {
                (cur, curDist) = greedy(qb, from: cur, distance: curDist, level: l, scratch: &s)
                l -= 1
            }
            l = min(level, Int(maxLevel))
            while l >= 0 {
                searchLayer(qb, entry: cur, entryDistance: curDist, ef: efConstruction, level: l, skipDeleted: false, scratch: &s)
                var found: [(Float, Int32)] = []
                found.reserveCapacity(s.results.count)
                while !s.results.isEmpty {
                    if s.results.topSlot != slot { found.append((s.results.topKey, s.results.topSlot)) }
                    s.results.pop()
                }
                found.reverse()
                guard let nearest = found.first else { break }
                let chosen = selectNeighbours(found, limit: m)
                setLinks(of: slot, level: l, to: chosen)
                for n in chosen { addLink(from: n, to: slot, level: l) }
                (curDist, cur) = nearest
                l -= 1
            }
        }
        if level > maxLevel {
            entryPoint = slot
            maxLevel = Int32(level)
        }
    }

    /// hnswlib's heuristic: walk candidates nearest first, keep one unless a kept node is closer to it
    /// than the base is. candidates: ascending (distance to base, slot) → at most `limit` slots.
    func selectNeighbours(_ candidates: [(Float, Int32)], limit: Int) -> [Int32] {
        guard candidates.count > limit else { return candidates.map(\.1) }
        var kept: [Int32] = []
        kept.reserveCapacity(limit)
        vectors.withUnsafeBufferPointer { vp in
            let vb = vp.baseAddress.unsafelyUnwrapped
            for (d, c) in candidates {
                if kept.count >= limit { break }
                var good = true
                for k in kept {
                    let between = VectorKernels.distance(metric, vb + Int(c) * dimension, vb + Int(k) * dimension, dimension)
                    if between < d {
                        good = false
                        break
                    }
                }
                if good { kept.append(c) }
            }
        }
        return kept
    }

    /// Overwrites the links of `slot` at `level`.
    mutating func setLinks(of slot: Int32, level: Int, to list: [Int32]) {
        if level == 0 {
            let base = Int(slot) * stride0
            precondition(list.count <= maxM0)
            level0[base] = Int32(list.count)
            for (i, n) in list.enumerated() { level0[base + 1 + i] = n }
        } else {
            let base = (level - 1) * strideUpper
            precondition(list.count <= m)
            upper[Int(slot)][base] = Int32(list.count)
            for (i, n) in list.enumerated() { upper[Int(slot)][base + 1 + i] = n }
        }
    }

    /// Adds the link n → slot at `level`, pruning n's list with the heuristic when it is full.
    mutating func addLink(from n: Int32, to slot: Int32, level: Int) {
        var list: [Int32] = []
        links(of: n, level: level, into: &list)
        if list.contains(slot) { return }
        let limit = level == 0 ? maxM0 : m
        if list.count < limit {
            list.append(slot)
            setLinks(of: n, level: level, to: list)
            return
        }
        list.append(slot)
        setLinks(of: n, level: level, to: prune(list, around: n, limit: limit))
    }

    /// candidates (slots) → at most `limit` of them chosen by the heuristic around `base`.
    func prune(_ candidates: [Int32], around base: Int32, limit: Int) -> [Int32] {
        var scored: [(Float, Int32)] = vectors.withUnsafeBufferPointer { vp in
            let vb = vp.baseAddress.unsafelyUnwrapped
            return candidates.map { c in
                (VectorKernels.distance(metric, vb + Int(base) * dimension, vb + Int(c) * dimension, dimension), c)
            }
        }
        scored.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        return selectNeighbours(scored, limit: limit)
    }

    /// Before a deleted slot is reused: every node it linked to is relinked from its own and the
    /// slot's neighbours (hnswlib's repair on update), then the slot's own links are cleared.
    mutating func unlink(_ slot: Int32, scratch s: inout Scratch) {
        let top = Int(levels[Int(slot)])
        for level in 0...top {
            var mine: [Int32] = []
            links(of: slot, level: level, into: &mine)
            let limit = level == 0 ? maxM0 : m
            for n in mine where n != slot {
                var theirs: [Int32] = []
                links(of: n, level: level, into: &theirs)
                var pool = theirs.filter { $0 != slot }
                for c in mine where c != n && c != slot && !pool.contains(c) { pool.append(c) }
                setLinks(of: n, level: level, to: pool.count > limit ? prune(pool, around: n, limit: limit) : pool)
            }
            setLinks(of: slot, level: level, to: [])
        }
    }

    /// Makes the highest-level node other than `excluded` the entry point (or none if there is none).
    mutating func chooseEntryPoint(excluding excluded: Int32) {
        entryPoint = -1
        maxLevel = -1
        for (i, l) in levels.enumerated() where Int32(i) != excluded && l > maxLevel {
            entryPoint = Int32(i)
            maxLevel = l
        }
    }
}
