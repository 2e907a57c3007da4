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
}
