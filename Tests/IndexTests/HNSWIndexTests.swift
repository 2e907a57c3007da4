import Foundation
import Tensor
import XCTest
@testable import Index

final class HNSWIndexTests: XCTestCase {
    /// Rows lo..<hi of one seeded draw of clustered vectors: index contents, held-out queries and
    /// later inserts all come from the same clusters.
    func rows(_ lo: Int, _ hi: Int, dimension: Int = 24) -> Tensor {
        let (all, _) = SyntheticFeatures.clustered(count: 1600, dimension: dimension, clusters: 12, seed: 11)
        return Tensor(shape: [hi - lo, dimension], data: Array(all.data[lo * dimension ..< hi * dimension]))
    }

    /// An index over the first `count` rows of the draw.
    func fixture(count: Int = 1200, dimension: Int = 24, metric: Metric = .cosine) throws -> (HNSWIndex, Tensor) {
        let x = rows(0, count, dimension: dimension)
        var index = HNSWIndex(dimension: dimension, metric: metric, m: 12, efConstruction: 60, efSearch: 60, seed: 1)
        for i in 0..<x.rows { try index.insert(id: i, vector: x.row(i)) }
        return (index, x)
    }

    /// Mean overlap between the index's top k and brute force's top k over the live vectors.
    func recall(_ index: HNSWIndex, live: [Int: [Float]], queries: [[Float]], k: Int) throws -> Double {
        var flat = FlatIndex(dimension: index.dimension, metric: index.metric)
        for (id, v) in live { try flat.insert(id: id, vector: v) }
        var hits = 0
        for q in queries {
            let truth = Set(try flat.search(q, k: k).map(\.id))
            hits += try index.search(q, k: k).filter { truth.contains($0.id) }.count
        }
        return Double(hits) / Double(queries.count * k)
    }

    func testRecallAgainstBruteForce() throws {
        let (index, x) = try fixture()
        let queries = rows(1500, 1600)
        let live = Dictionary(uniqueKeysWithValues: (0..<x.rows).map { ($0, x.row($0)) })
        let r = try recall(index, live: live, queries: (0..<queries.rows).map { queries.row($0) }, k: 10)
        XCTAssertGreaterThanOrEqual(r, 0.98)
        XCTAssertEqual(index.count, 1200)
    }

    func testDeletesAreNeverReturnedAndReinsertsKeepRecall() throws {
        var (index, x) = try fixture()
        var live = Dictionary(uniqueKeysWithValues: (0..<x.rows).map { ($0, x.row($0)) })
        for id in stride(from: 0, to: 1200, by: 4) {
            XCTAssertTrue(index.remove(id: id))
            live[id] = nil
        }
        XCTAssertFalse(index.remove(id: 0))
        XCTAssertEqual(index.count, 900)
        let probe = try index.search(x.row(0), k: 20)
        XCTAssertTrue(probe.allSatisfy { $0.id % 4 != 0 })
        let slotsBefore = index.slots
        let fresh = rows(1200, 1500)
        for i in 0..<fresh.rows {
            try index.insert(id: 10_000 + i, vector: fresh.row(i))
            live[10_000 + i] = fresh.row(i)
        }
        XCTAssertEqual(index.slots, slotsBefore, "deleted slots are reused")
        let queries = rows(1500, 1600)
        let r = try recall(index, live: live, queries: (0..<queries.rows).map { queries.row($0) }, k: 10)
        XCTAssertGreaterThanOrEqual(r, 0.97)
    }

    func testSavedIndexReloadsBitIdenticallyAndKeepsGrowingTheSameWay() throws {
        var (index, x) = try fixture(count: 400, metric: .l2)
        index.remove(id: 3)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("herd-hnsw-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("index.hnsw").path
        try index.save(to: path)
        var loaded = try HNSWIndex(contentsOf: path)
        XCTAssertEqual(loaded.serialised(), index.serialised())
        XCTAssertEqual(try loaded.search(x.row(5), k: 10), try index.search(x.row(5), k: 10))
        for i in 0..<20 {
            try index.insert(id: 5000 + i, vector: x.row(i))
            try loaded.insert(id: 5000 + i, vector: x.row(i))
        }
        XCTAssertEqual(loaded.serialised(), index.serialised(), "the seeded level sequence continues after a reload")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["index.hnsw"], "no temporary file left")
    }

    func testTruncatedForeignAndDamagedFilesAreRefused() throws {
        let (index, _) = try fixture(count: 200)
        let bytes = index.serialised()
        XCTAssertThrowsError(try HNSWIndex(bytes: Array(bytes.prefix(bytes.count - 100)), path: "idx")) { error in
            XCTAssertEqual((error as? IndexError)?.code, .truncated)
            XCTAssertTrue("\(error)".contains("idx"))
        }
        XCTAssertThrowsError(try HNSWIndex(bytes: Array(bytes.prefix(20)), path: "idx")) { error in
            XCTAssertEqual((error as? IndexError)?.code, .truncated)
        }
        XCTAssertThrowsError(try HNSWIndex(bytes: Array("\u{93}NUMPY not an index at all".utf8), path: "idx")) { error in
            XCTAssertEqual((error as? IndexError)?.code, .notAnIndexFile)
        }
        var damaged = bytes
        damaged[bytes.count / 2] ^= 0x40
        XCTAssertThrowsError(try HNSWIndex(bytes: damaged, path: "idx")) { error in
            XCTAssertEqual((error as? IndexError)?.code, .corrupt)
        }
        var newer = bytes
        newer[8] = 9
        XCTAssertThrowsError(try HNSWIndex(bytes: newer, path: "idx")) { error in
            XCTAssertEqual((error as? IndexError)?.code, .unsupportedVersion)
        }
    }

    func testWrongDimensionAndNonFiniteVectorsThrow() throws {
        var index = HNSWIndex(dimension: 4, metric: .cosine)
        XCTAssertThrowsError(try index.insert(id: 1, vector: [1, 2, 3])) { XCTAssertEqual(($0 as? IndexError)?.code, .dimensionMismatch) }
        XCTAssertThrowsError(try index.insert(id: 1, vector: [1, .nan, 3, 4])) { XCTAssertEqual(($0 as? IndexError)?.code, .invalidVector) }
        XCTAssertEqual(try index.search([1, 0, 0, 0], k: 3), [])
        try index.insert(id: 1, vector: [1, 0, 0, 0])
        try index.insert(id: 1, vector: [0, 1, 0, 0])
        XCTAssertEqual(index.count, 1)
        XCTAssertEqual(try index.search([0, 1, 0, 0], k: 3).map(\.id), [1])
    }

    func testEmptyingAndRefillingTheIndex() throws {
        var (index, x) = try fixture(count: 100)
        for id in 0..<100 { index.remove(id: id) }
        XCTAssertEqual(try index.search(x.row(0), k: 5), [])
        for id in 0..<100 { try index.insert(id: id, vector: x.row(id)) }
        XCTAssertEqual(try index.search(x.row(7), k: 1).first?.id, 7)
    }

    func testFlatIndexAgreesWithExactSearch() throws {
        let (x, _) = SyntheticFeatures.clustered(count: 200, dimension: 16, clusters: 4, seed: 2)
        var flat = FlatIndex(dimension: 16, metric: .l2)
        for i in 0..<x.rows { try flat.insert(id: i, vector: x.row(i)) }
        let graph = ExactSearch.search(queries: Tensor(shape: [1, 16], data: x.row(9)), base: x, k: 6, metric: .l2)
        XCTAssertEqual(try flat.search(x.row(9), k: 6).map(\.id), graph.neighbours(of: 0).map(\.id))
    }
}
