/// A max-heap of (distance, slot) pairs in two flat arrays; a min-heap is kept by negating distances.
struct PairHeap {
    var keys: [Float] = []
    var slots: [Int32] = []

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }
    var topKey: Float { keys[0] }
    var topSlot: Int32 { slots[0] }

    mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
    }

    mutating func push(_ key: Float, _ slot: Int32) {
        keys.append(key)
        slots.append(slot)
        var i = keys.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if keys[parent] >= key { break }
            keys[i] = keys[parent]
            slots[i] = slots[parent]
            i = parent
        }
        keys[i] = key
        slots[i] = slot
    }

    mutating func pop() {
        let lastKey = keys.removeLast(), lastSlot = slots.removeLast()
        let n = keys.count
        guard n > 0 else { return }
        var i = 0
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var c = l
            if l + 1 < n && keys[l + 1] > keys[l] { c = l + 1 }
            if keys[c] <= lastKey { break }
            keys[i] = keys[c]
            slots[i] = slots[c]
            i = c
        }
        keys[i] = lastKey
        slots[i] = lastSlot
    }
}

extension HNSWIndex {
    /// Per-thread working memory for searches: visited marks and the two heaps.
    /// Give each thread its own to query one index from several threads at once.
    public struct Scratch: Sendable {
        var marks: [UInt32] = []
        var epoch: UInt32 = 0
        var candidates = PairHeap()
        var results = PairHeap()
        var links: [Int32] = []

        /// Empty working memory; it grows to the index size on first use.
        public init() {}

        /// Starts a new search over `slots` slots: nothing is marked visited.
        mutating func begin(slots: Int) {
            if marks.count < slots { marks.append(contentsOf: repeatElement(0, count: slots - marks.count)) }
            epoch &+= 1
            if epoch == 0 {
                for i in marks.indices { marks[i] = 0 }
                epoch = 1
            }
            candidates.removeAll()
            results.removeAll()
        }
    }
}
