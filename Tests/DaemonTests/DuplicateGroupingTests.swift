import Catalog
import Daemon
import Foundation
import XCTest

final class DuplicateGroupingTests: XCTestCase {
    private func hash(_ n: UInt8) -> Data { Data(repeating: n, count: 32) }

    private func file(_ path: String, _ content: UInt8, pixels: Int = 100, taken: String? = nil) -> DuplicateFile {
        DuplicateFile(path: path, contentHash: hash(content), width: pixels, height: 1, size: 1000, takenAt: taken)
    }

    /// A chain A–B–C where A and C are not close: C is not pulled into A's group through B.
    func testGroupsDoNotChain() {
        let candidates = DuplicateCandidates(
            files: [file("/a.jpg", 1, pixels: 300), file("/b.jpg", 2, pixels: 200), file("/c.jpg", 3, pixels: 100), file("/d.jpg", 4, pixels: 50)],
            pairs: [NearPair(hash(1), hash(2), distance: 0.01), NearPair(hash(2), hash(3), distance: 0.01), NearPair(hash(3), hash(4), distance: 0.01)],
            signatures: [:])
        let groups = DuplicateGrouping.groups(candidates, rule: DuplicateRule(threshold: 0.02))
        XCTAssertEqual(groups.map { $0.members.map(\.path) }, [["/a.jpg", "/b.jpg"], ["/c.jpg", "/d.jpg"]])
        XCTAssertEqual(groups[0].reason, "most pixels (300×1)")
        XCTAssertEqual(groups[0].kind, "near")
    }

    /// The keeper: most pixels, then the earliest capture, then the shortest path.
    func testKeeperIsLargestThenEarliestThenShortestPath() {
        let tied = DuplicateCandidates(
            files: [file("/photos/long-name.jpg", 1, taken: "2021-01-01T10:00:00"), file("/p/late.jpg", 1, taken: "2022-01-01T10:00:00"),
                    file("/p/none.jpg", 1)],
            pairs: [], signatures: [:])
        let byTime = DuplicateGrouping.groups(tied, rule: DuplicateRule())
        XCTAssertEqual(byTime.first?.keeper.path, "/photos/long-name.jpg")
        XCTAssertEqual(byTime.first?.reason, "most pixels, earliest capture (2021-01-01T10:00:00)")
        XCTAssertEqual(byTime.first?.kind, "exact")
        let byPath = DuplicateGrouping.groups(
            DuplicateCandidates(files: [file("/photos/a/b.jpg", 1), file("/p/b.jpg", 1)], pairs: [], signatures: [:]), rule: DuplicateRule())
        XCTAssertEqual(byPath.first?.members.map(\.path), ["/p/b.jpg", "/photos/a/b.jpg"])
        XCTAssertEqual(byPath.first?.reason, "most pixels, shortest path")
        let byName = DuplicateGrouping.groups(
            DuplicateCandidates(files: [file("/p/b.jpg", 1), file("/p/a.jpg", 1)], pairs: [], signatures: [:]), rule: DuplicateRule())
        XCTAssertEqual(byName.first?.keeper.path, "/p/a.jpg")
        XCTAssertEqual(byName.first?.reason, "most pixels, first path in order")
    }

    /// Features alone need the signatures to agree; signatures almost equal are enough alone.
    func testRuleCombinesFeaturesAndSignatures() {
        let rule = DuplicateRule(threshold: 0.02, confirmBits: 16, signatureBits: 6)
        XCTAssertTrue(rule.matches(distance: 0.01, bits: 10))
        XCTAssertFalse(rule.matches(distance: 0.01, bits: 30), "close features, different pictures")
        XCTAssertTrue(rule.matches(distance: 0.2, bits: 4), "far features, the same picture")
        XCTAssertFalse(rule.matches(distance: 0.03, bits: 12))
        XCTAssertTrue(rule.matches(distance: 0.01, bits: nil), "no signature: the features decide")
    }

    /// --exact lists byte-identical files only; --near only groups of different contents.
    func testSelections() {
        let candidates = DuplicateCandidates(
            files: [file("/a.jpg", 1, pixels: 300), file("/a-copy.jpg", 1, pixels: 300), file("/b.jpg", 2, pixels: 200),
                    file("/x.jpg", 5), file("/x2.jpg", 5)],
            pairs: [NearPair(hash(1), hash(2), distance: 0.3)],
            signatures: [hash(1): 0xFFFF_0000, hash(2): 0xFFFF_0001])
        let rule = DuplicateRule(threshold: 0.02)
        XCTAssertEqual(DuplicateGrouping.groups(candidates, rule: rule).map { $0.members.map(\.path) },
                       [["/a.jpg", "/a-copy.jpg", "/b.jpg"], ["/x.jpg", "/x2.jpg"]])
        XCTAssertEqual(DuplicateGrouping.groups(candidates, rule: rule, selection: .exact).map { $0.members.map(\.path) },
                       [["/a.jpg", "/a-copy.jpg"], ["/x.jpg", "/x2.jpg"]])
        let near = DuplicateGrouping.groups(candidates, rule: rule, selection: .near)
        XCTAssertEqual(near.map { $0.members.map(\.path) }, [["/a.jpg", "/a-copy.jpg", "/b.jpg"]])
        XCTAssertEqual(near.first?.members.last?.signatureBits, 1)
        XCTAssertEqual(near.first?.members[1].exactCopy, true)
    }

    /// The grouping against its naive twin (every keeper scans every later file), on random libraries.
    func testGroupingMatchesTheNaiveScan() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<50 {
            let contents = Int.random(in: 2...30, using: &generator)
            let files = (0..<Int.random(in: 2...60, using: &generator)).map { i in
                file("/p/\(Int.random(in: 0...9, using: &generator))/\(i).jpg", UInt8(Int.random(in: 0..<contents, using: &generator)),
                     pixels: Int.random(in: 1...4, using: &generator) * 100,
                     taken: Bool.random(using: &generator) ? "2020-01-0\(Int.random(in: 1...3, using: &generator))" : nil)
            }
            var pairs: [NearPair] = []
            for _ in 0..<Int.random(in: 0...80, using: &generator) {
                let a = UInt8(Int.random(in: 0..<contents, using: &generator)), b = UInt8(Int.random(in: 0..<contents, using: &generator))
                if a != b { pairs.append(NearPair(hash(a), hash(b), distance: Float.random(in: 0...0.1, using: &generator))) }
            }
            let signatures = Dictionary(uniqueKeysWithValues: (0..<contents).map { (hash(UInt8($0)), UInt64.random(in: 0...UInt64.max, using: &generator) & 0xFF) })
            let candidates = DuplicateCandidates(files: files, pairs: pairs, signatures: signatures)
            let rule = DuplicateRule(threshold: 0.05, confirmBits: 4, signatureBits: 2)
            for selection in [DuplicateGrouping.Selection.all, .near] {
                XCTAssertEqual(DuplicateGrouping.groups(candidates, rule: rule, selection: selection).map { $0.members.map(\.path).sorted() },
                               naiveGroups(candidates, rule: rule, near: selection == .near))
            }
        }
    }

    /// Every keeper, in keeper order, scans every later ungrouped file.
    private func naiveGroups(_ candidates: DuplicateCandidates, rule: DuplicateRule, near: Bool) -> [[String]] {
        let files = candidates.files.sorted { x, y in
            let px = x.width * x.height, py = y.width * y.height
            if px != py { return px > py }
            if x.takenAt != y.takenAt { return x.takenAt.map { a in y.takenAt.map { a < $0 } ?? true } ?? false }
            if x.path.utf8.count != y.path.utf8.count { return x.path.utf8.count < y.path.utf8.count }
            return x.path < y.path
        }
        func matches(_ a: Data, _ b: Data) -> Bool {
            candidates.pairs.contains { pair in
                ((pair.a, pair.b) == (a, b) || (pair.a, pair.b) == (b, a)) && rule.matches(
                    distance: pair.distance,
                    bits: candidates.signatures[a].flatMap { x in candidates.signatures[b].map { (x ^ $0).nonzeroBitCount } })
            }
        }
        var grouped = Set<String>()
        var out: [[String]] = []
        for (i, keeper) in files.enumerated() where !grouped.contains(keeper.path) {
            var members = [keeper]
            for other in files[(i + 1)...] where !grouped.contains(other.path) {
                if other.contentHash == keeper.contentHash || matches(keeper.contentHash, other.contentHash) { members.append(other) }
            }
            guard members.count > 1, !near || Set(members.map(\.contentHash)).count > 1 else { continue }
            for m in members { grouped.insert(m.path) }
            out.append(members.map(\.path).sorted())
        }
        return out
    }
}

/// SplitMix64, so the random libraries are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
