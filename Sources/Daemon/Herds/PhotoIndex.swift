import Catalog
import Foundation
import Index
import Synchronization
import Tensor

/// The daemon's approximate-neighbour index of photo features (HNSW, cosine), keyed by the catalogue's assignment
/// keys, kept in memory and saved in the cache folder. Shared by the cluster service's tasks through one lock.
public final class PhotoIndex: Sendable {
    /// Where the index is saved.
    public let path: String
    private let index: Mutex<HNSWIndex?>
    private let dirty = Atomic<Bool>(false)

    /// The index file for a model in `cacheFolder`.
    public static func path(cacheFolder: String, modelID: String) -> String {
        let safe = String(modelID.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "-" ? Character($0) : "_" })
        return cacheFolder + "/index-\(safe).hnsw"
    }

    /// Loads the saved index when it holds exactly the catalogue's assigned photos; otherwise rebuilds it from the
    /// catalogue's features (a crash, or another model, left it stale).
    public init(catalog: Catalog, modelID: String, cacheFolder: String) throws {
        path = Self.path(cacheFolder: cacheFolder, modelID: modelID)
        let keys = try catalog.assignedKeys()
        if let saved = try? HNSWIndex(contentsOf: path), saved.count == keys.count, keys.keys.allSatisfy({ saved.contains(id: Int($0)) }) {
            index = Mutex(saved)
            return
        }
        var rebuilt: HNSWIndex?
        let features = try catalog.photoFeatures(keys: Array(keys.keys).sorted(), modelID: modelID)
        for (key, photo) in features.sorted(by: { $0.key < $1.key }) {
            if rebuilt == nil { rebuilt = HNSWIndex(dimension: photo.vector.count, metric: .cosine) }
            try? rebuilt?.insert(id: Int(key), vector: photo.vector)
        }
        index = Mutex(rebuilt)
        dirty.store(true, ordering: .relaxed)
    }

    /// Photos in the index.
    public var count: Int { index.withLock { $0?.count ?? 0 } }

    /// Adds or replaces photos; vectors of another dimension than the index's are skipped (another model).
    public func insert(_ entries: [(key: Int64, vector: [Float])]) {
        guard !entries.isEmpty else { return }
        index.withLock { index in
            for entry in entries {
                if index == nil { index = HNSWIndex(dimension: entry.vector.count, metric: .cosine) }
                try? index?.insert(id: Int(entry.key), vector: entry.vector)
            }
        }
        dirty.store(true, ordering: .relaxed)
    }

    /// Removes photos.
    public func remove(_ keys: [Int64]) {
        guard !keys.isEmpty else { return }
        index.withLock { index in for key in keys { index?.remove(id: Int(key)) } }
        dirty.store(true, ordering: .relaxed)
    }

    /// Whether every key is in the index.
    public func contains(all keys: [Int64]) -> Bool {
        index.withLock { index in keys.allSatisfy { index?.contains(id: Int($0)) ?? false } }
    }

    /// The `k` photos nearest to `vector`, closest first.
    public func search(_ vector: [Float], k: Int) throws -> [Neighbour] {
        try index.withLock { index in try index?.search(vector, k: k) ?? [] }
    }

    /// The K nearest neighbours of every row (rows: the photos with these keys, features: [N, D]), from the index:
    /// neighbours outside `keys` are skipped, and a short row repeats its farthest neighbour. Nil when some row
    /// found none.
    public func graph(keys: [Int64], features: Tensor, k: Int) -> NeighbourGraph? {
        let n = keys.count
        let kk = min(k, n - 1)
        guard kk >= 1 else { return nil }
        let row = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
        var indices = [Int32](repeating: 0, count: n * kk), distances = [Float](repeating: 0, count: n * kk)
        for i in 0..<n {
            let found = ((try? search(features.row(i), k: kk + 8)) ?? []).filter { $0.id != Int(keys[i]) && row[Int64($0.id)] != nil }
            guard let last = found.prefix(kk).last else { return nil }
            for j in 0..<kk {
                let neighbour = j < found.count ? found[j] : last
                indices[i * kk + j] = Int32(row[Int64(neighbour.id)] ?? 0)
                distances[i * kk + j] = neighbour.distance
            }
        }
        return NeighbourGraph(count: n, k: kk, indices: indices, distances: distances, metric: .cosine)
    }

    /// Saves the index (temporary file, fsync, rename) if it changed since the last save.
    public func saveIfChanged() throws {
        guard dirty.exchange(false, ordering: .relaxed) else { return }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        do {
            try index.withLock { try $0?.save(to: path) }
        } catch {
            dirty.store(true, ordering: .relaxed)
            throw error
        }
    }
}
