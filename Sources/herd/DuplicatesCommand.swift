import ArgumentParser
import Catalog
import Daemon
import Foundation

/// `herd duplicates`: exact copies and near-duplicates, each group with the photo herd suggests keeping.
struct DuplicatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duplicates",
        abstract: "List groups of exact copies and near-duplicates, the suggested photo to keep first. herd never deletes anything.",
        discussion: """
            A group is held together by its first photo (most pixels, then earliest capture, then shortest path): every \
            other member is a copy of it or close to it, never only close to another member. Near pairs come from the \
            daemon's neighbour index; their folders are under OUTPUT/_duplicates/. --threshold is a cosine distance \
            between features (default: duplicate_threshold in config.toml); see Docs/OVERVIEW.md.
            """)

    @Flag(help: "Only files with identical bytes.")
    var exact = false

    @Flag(help: "Only groups of different files that look alike (exact copies they hold are listed with them).")
    var near = false

    @Option(help: "Largest cosine distance between features of near-duplicates (default: duplicate_threshold, else \(DuplicateRule.defaultThreshold)).")
    var threshold: Double?

    @Flag(help: "Print as JSON.")
    var json = false

    @OptionGroup var paths: PathOptions

    func validate() throws {
        if exact && near { throw ValidationError("--exact and --near exclude each other; give one, or neither for both") }
        if let threshold, !(0...2).contains(threshold) { throw ValidationError("--threshold is a cosine distance between 0 and 2") }
    }

    func run() async throws {
        let reader = try CatalogReader(paths)
        let configuration = try? HerdConfiguration.load(from: reader.paths.config).overridden(by: reader.environment)
        let modelID = try reader.modelID(configured: configuration?.model)
        let rule = DuplicateRule(threshold: threshold ?? configuration?.duplicateThreshold ?? DuplicateRule.defaultThreshold)
        let selection: DuplicateGrouping.Selection = exact ? .exact : near ? .near : .all
        let groups = DuplicateGrouping.groups(try reader.catalog.duplicateCandidates(modelID: modelID), rule: rule, selection: selection)
        if json {
            try JSONOutput.print(groups.enumerated().map { DuplicateReport(folder: DuplicateFolders.groupFolder($0), group: $1) })
            return
        }
        if groups.isEmpty {
            FileHandle.standardError.write(Data("no duplicates found (the daemon compares photos once they are clustered; `herd status`)\n".utf8))
            return
        }
        for (i, group) in groups.enumerated() {
            print("\(DuplicateFolders.groupFolder(i))  \(group.kind)  \(group.members.count) files  keep: \(group.reason)")
            for (j, member) in group.members.enumerated() {
                var facts = ["\(member.width)×\(member.height)", OverviewPages.bytes(member.size), member.takenAt ?? "-"]
                if j > 0 {
                    facts.append(member.exactCopy ? "same bytes" : String(format: "distance %.4f", member.distance)
                                 + (member.signatureBits.map { ", \($0)/64 bits" } ?? ""))
                }
                print("  \(j == 0 ? "keep" : "    ")  \(member.path)  \(facts.joined(separator: "  "))")
            }
        }
    }
}

/// One group as `herd duplicates --json` prints it.
struct DuplicateReport: Encodable {
    /// Its folder under OUTPUT/_duplicates.
    var folder: String
    var kind: String
    var reason: String
    var keeper: String
    var members: [DuplicateMember]

    init(folder: String, group: DuplicateGroup) {
        self.folder = folder
        kind = group.kind
        reason = group.reason
        keeper = group.keeper.path
        members = group.members
    }
}
