/// Keeps cluster ids stable across retraining: new clusters take the ids of the old clusters they
/// overlap most (Hungarian on the overlap counts), so names and user labels stay with their photos.
public enum ClusterMatching {
    /// previous: [N] old id of each point (−1 for points that had none), current: [N] new cluster of each point
    /// → for each new cluster in 0..<clusters its stable id: a matched old id, or a fresh id above every old one.
    public static func stableIDs(previous: [Int], current: [Int], clusters: Int) -> [Int] {
        precondition(previous.count == current.count, "\(previous.count) previous vs \(current.count) current assignments")
        let oldIDs = Set(previous.filter { $0 >= 0 }).sorted()
        let column = Dictionary(uniqueKeysWithValues: oldIDs.enumerated().map { ($1, $0) })
        var overlap = [[Double]](repeating: [Double](repeating: 0, count: max(oldIDs.count, 1)), count: clusters)
        for (p, c) in zip(previous, current) where c >= 0 && c < clusters {
            if let j = column[p] { overlap[c][j] -= 1 }  // negated: the assignment minimises cost
        }
        var ids = [Int](repeating: -1, count: clusters)
        if !oldIDs.isEmpty {
            for (c, j) in Hungarian.assign(cost: overlap).enumerated() {
                if let j, overlap[c][j] < 0 { ids[c] = oldIDs[j] }
            }
        }
        var next = (oldIDs.last ?? -1) + 1
        for c in 0..<clusters where ids[c] < 0 {
            ids[c] = next
            next += 1
        }
        return ids
    }
}
