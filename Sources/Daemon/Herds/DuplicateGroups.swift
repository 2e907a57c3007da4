import Catalog
import Foundation
import Imaging

/// One file of a duplicate group, measured against the group's suggested keeper.
public struct DuplicateMember: Sendable, Equatable, Codable {
    public var path: String
    public var width: Int
    public var height: Int
    public var size: Int64
    public var takenAt: String?
    /// Cosine distance of its features to the keeper's (0 for the keeper and its exact copies).
    public var distance: Float
    /// Perceptual-signature bits differing from the keeper's (nil when a signature is missing).
    public var signatureBits: Int?
    /// Whether its bytes equal the keeper's.
    public var exactCopy: Bool

    public init(path: String, width: Int, height: Int, size: Int64, takenAt: String?, distance: Float, signatureBits: Int?, exactCopy: Bool) {
        self.path = path
        self.width = width
        self.height = height
        self.size = size
        self.takenAt = takenAt
        self.distance = distance
        self.signatureBits = signatureBits
        self.exactCopy = exactCopy
    }
}

/// Photos that are copies or near copies of one photo: the suggested keeper first.
public struct DuplicateGroup: Sendable, Equatable, Codable {
    /// `exact` when every member has the keeper's bytes, else `near`.
    public var kind: String
    /// The keeper, then the others by distance to it.
    public var members: [DuplicateMember]
    /// Why the first member is the one to keep.
    public var reason: String

    public init(kind: String, members: [DuplicateMember], reason: String) {
        precondition(!members.isEmpty, "a duplicate group has members")
        self.kind = kind
        self.members = members
        self.reason = reason
    }

    /// The suggested keeper.
    public var keeper: DuplicateMember { members[0] }
}

/// Builds duplicate groups without chaining: files are taken in keeper order (largest pixel count, then earliest
/// capture, then shortest path); each file not yet grouped starts a group of itself and every ungrouped file whose
/// content is its own or matches it directly under the rule. So every member is close to its keeper, never only to
/// another member.
public enum DuplicateGrouping {
    /// Which groups to list.
    public enum Selection: String, Sendable, CaseIterable { case all, exact, near }

    /// Groups of at least two files, in keeper order of their keepers.
    public static func groups(_ candidates: DuplicateCandidates, rule: DuplicateRule, selection: Selection = .all) -> [DuplicateGroup] {
        let files = candidates.files.sorted(by: keeperOrder)
        if selection == .exact { return exactGroups(files) }
        var near: [Data: [Data: Float]] = [:]
        for pair in candidates.pairs {
            let bits = bitsBetween(pair.a, pair.b, candidates.signatures)
            guard rule.matches(distance: pair.distance, bits: bits) else { continue }
            near[pair.a, default: [:]][pair.b] = pair.distance
            near[pair.b, default: [:]][pair.a] = pair.distance
        }
        // Files by content, in keeper order: a keeper looks only at its own content's files and its matches' files.
        var byContent: [Data: [Int]] = [:]
        for (i, file) in files.enumerated() { byContent[file.contentHash, default: []].append(i) }
        var grouped = [Bool](repeating: false, count: files.count)
        var groups: [DuplicateGroup] = []
        for (i, keeper) in files.enumerated() where !grouped[i] {
            let matches = near[keeper.contentHash] ?? [:]
            var reachable = (byContent[keeper.contentHash] ?? []).map { ($0, Float(0)) }
            for (content, distance) in matches { reachable += (byContent[content] ?? []).map { ($0, distance) } }
            reachable.sort { $0.0 < $1.0 }
            var members: [(DuplicateFile, Float)] = []
            var indices: [Int] = []
            for (j, distance) in reachable where j >= i && !grouped[j] {
                members.append((files[j], distance))
                indices.append(j)
            }
            guard members.count > 1 else { continue }
            let contents = Set(members.map(\.0.contentHash)).count
            if selection == .near && contents < 2 { continue }
            for j in indices { grouped[j] = true }
            groups.append(group(members, signatures: candidates.signatures))
        }
        return groups
    }

    /// Files sharing their bytes, one group per content with two or more files.
    static func exactGroups(_ sortedFiles: [DuplicateFile]) -> [DuplicateGroup] {
        var byContent: [Data: [DuplicateFile]] = [:]
        var order: [Data] = []
        for file in sortedFiles {
            if byContent[file.contentHash] == nil { order.append(file.contentHash) }
            byContent[file.contentHash, default: []].append(file)
        }
        return order.compactMap { hash in
            guard let files = byContent[hash], files.count > 1 else { return nil }
            return group(files.map { ($0, 0) }, signatures: [:])
        }
    }

    /// Keeper order: more pixels, then earlier capture (unknown last), then shorter path, then path.
    static func keeperOrder(_ x: DuplicateFile, _ y: DuplicateFile) -> Bool {
        let px = x.width * x.height, py = y.width * y.height
        if px != py { return px > py }
        switch (x.takenAt, y.takenAt) {
        case let (a?, b?) where a != b: return a < b
        case (_?, nil): return true
        case (nil, _?): return false
        default: break
        }
        if x.path.utf8.count != y.path.utf8.count { return x.path.utf8.count < y.path.utf8.count }
        return x.path < y.path
    }

    private static func bitsBetween(_ a: Data, _ b: Data, _ signatures: [Data: UInt64]) -> Int? {
        guard let x = signatures[a], let y = signatures[b] else { return nil }
        return PerceptualHash.distance(x, y)
    }

    private static func group(_ members: [(DuplicateFile, Float)], signatures: [Data: UInt64]) -> DuplicateGroup {
        let keeper = members[0].0
        let rest = members.dropFirst().sorted { $0.1 != $1.1 ? $0.1 < $1.1 : keeperOrder($0.0, $1.0) }
        let listed = [members[0]] + rest
        let exact = listed.allSatisfy { $0.0.contentHash == keeper.contentHash }
        let out = listed.map { file, distance in
            DuplicateMember(
                path: file.path, width: file.width, height: file.height, size: file.size, takenAt: file.takenAt,
                distance: distance, signatureBits: bitsBetween(keeper.contentHash, file.contentHash, signatures)
                    ?? (file.contentHash == keeper.contentHash ? 0 : nil),
                exactCopy: file.contentHash == keeper.contentHash)
        }
        return DuplicateGroup(kind: exact ? "exact" : "near", members: out, reason: reason(keeper, among: listed.dropFirst().map(\.0)))
    }

    /// Why `keeper` comes first: the first criterion that sets it apart from the others.
    static func reason(_ keeper: DuplicateFile, among others: [DuplicateFile]) -> String {
        let pixels = keeper.width * keeper.height
        if others.allSatisfy({ $0.width * $0.height < pixels }) {
            return "most pixels (\(keeper.width)×\(keeper.height))"
        }
        let tied = others.filter { $0.width * $0.height == pixels }
        if let taken = keeper.takenAt, tied.allSatisfy({ $0.takenAt.map { taken < $0 } ?? true }) {
            return "most pixels, earliest capture (\(taken))"
        }
        let length = keeper.path.utf8.count
        if tied.filter({ $0.takenAt == keeper.takenAt }).allSatisfy({ $0.path.utf8.count > length }) { return "most pixels, shortest path" }
        return "most pixels, first path in order"
    }
}
