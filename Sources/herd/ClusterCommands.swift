import ArgumentParser
import Catalog
import Daemon
import Foundation

/// `herd clusters`: every cluster with its size and a few example photos.
struct ClustersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusters", abstract: "List the clusters: id, folder name, size and the most typical photos.")

    @Option(help: "Example photos per cluster.")
    var examples = 3

    @Flag(help: "Print as JSON.")
    var json = false

    @OptionGroup var paths: PathOptions

    func run() async throws {
        let catalog = try Catalog.openForReading(path: paths.resolved().catalog)
        let summaries = try catalog.clusterContents().map {
            ClusterSummary(id: $0.id, label: $0.label, size: $0.members.count, examples: Array($0.members.prefix(max(0, examples)).map(\.path)))
        }
        if json {
            try JSONOutput.print(summaries.map(ClusterReport.init))
            return
        }
        if summaries.isEmpty {
            FileHandle.standardError.write(Data("no clusters yet: the daemon makes them once photos are embedded (`herd status`), or run `herd recluster`\n".utf8))
            return
        }
        for summary in summaries {
            let name = FolderWriter.folderName(clusterID: summary.id, label: summary.label)
            print("\(String(summary.id).leftPadded(4))  \(name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(String(summary.size).leftPadded(6)) photos")
            for example in summary.examples { print("        \(example)") }
        }
    }
}

/// One cluster as `herd clusters --json` prints it.
struct ClusterReport: Encodable {
    var id: Int
    var label: String?
    var folder: String
    var size: Int
    var examples: [String]

    init(_ summary: ClusterSummary) {
        id = summary.id
        label = summary.label
        folder = FolderWriter.folderName(clusterID: summary.id, label: summary.label)
        size = summary.size
        examples = summary.examples
    }
}

/// `herd show N`: the photos of one cluster, most typical first.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "List the photos of cluster N, most typical (nearest the centre) first.")

    @Argument(help: "Cluster id (the number in its folder name).")
    var cluster: Int

    @Option(help: "At most this many photos.")
    var limit: Int?

    @Flag(help: "Print as JSON.")
    var json = false

    @OptionGroup var paths: PathOptions

    func run() async throws {
        let catalog = try Catalog.openForReading(path: paths.resolved().catalog)
        guard var contents = try catalog.cluster(id: cluster) else {
            throw ValidationError("there is no cluster \(cluster); `herd clusters` lists them")
        }
        if let limit { contents.members = Array(contents.members.prefix(max(0, limit))) }
        let folder = FolderWriter.folderName(clusterID: contents.id, label: contents.label)
        if json {
            try JSONOutput.print(ShowReport(id: contents.id, label: contents.label, folder: folder, photos: contents.members))
            return
        }
        print("cluster \(contents.id): \(folder), \(contents.members.count) photos shown")
        for member in contents.members { print(String(format: "  %.3f  ", member.probability) + member.path) }
    }
}

/// What `herd show --json` prints.
struct ShowReport: Encodable {
    var id: Int
    var label: String?
    var folder: String
    var photos: [ClusterMember]
}

/// `herd label N NAME`: names a cluster (its folder is renamed).
struct LabelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label", abstract: "Name cluster N; its folder becomes NN-NAME. The name stays with the photos across retrains.")

    @Argument(help: "Cluster id.")
    var cluster: Int

    @Argument(help: "The name; an empty string clears it.")
    var name: String

    @Flag(help: "Print as JSON.")
    var json = false

    @OptionGroup var paths: PathOptions

    func run() async throws {
        let label = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let outcome = try await ClusterRequestDelivery(paths: paths).deliver(.label(id: cluster, label: label.isEmpty ? nil : label))
        try ClusterRequestDelivery.print(outcome, json: json)
    }
}

/// `herd merge A B`: moves cluster B's photos into A.
struct MergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Move every photo of cluster B into cluster A; later retrains make one cluster fewer.")

    @Argument(help: "The cluster that stays.")
    var into: Int

    @Argument(help: "The cluster that goes.")
    var from: Int

    @Flag(help: "Print as JSON.")
    var json = false

    @OptionGroup var paths: PathOptions

    func run() async throws {
        let outcome = try await ClusterRequestDelivery(paths: paths).deliver(.merge(into: into, from: from))
        try ClusterRequestDelivery.print(outcome, json: json)
    }
}

/// `herd recluster`: retrains the head now.
struct ReclusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recluster",
        abstract: "Retrain the clusters now (by the running daemon, in the background, or here when none runs).",
        discussion: "Ids, folder names and labels stay with the clusters whose photos stay. --clusters K is kept for later retrains; --clusters 0 goes back to the default.")

    @Option(help: "Number of clusters.")
    var clusters: Int?

    @Flag(help: "When the daemon retrains, wait until it is done.")
    var wait = false

    @Flag(help: "Print as JSON.")
    var json = false

    @OptionGroup var paths: PathOptions

    func validate() throws {
        if let clusters, clusters == 1 || clusters < 0 { throw ValidationError("--clusters must be at least 2 (or 0 for the default)") }
    }

    func run() async throws {
        let outcome = try await ClusterRequestDelivery(paths: paths).deliver(.recluster(clusters: clusters), waitForRetrain: wait)
        try ClusterRequestDelivery.print(outcome, json: json)
    }
}

extension ClusterRequestDelivery {
    /// Prints an outcome for the user or as JSON.
    static func print(_ outcome: Outcome, json: Bool) throws {
        if json {
            try JSONOutput.print(outcome)
            return
        }
        Swift.print(outcome.result)
        if let run = outcome.run { Swift.print(StatusReport.describe(run)) }
        if outcome.daemon, outcome.run == nil, outcome.result.hasPrefix("retraining") {
            Swift.print("the daemon retrains in the background; `herd status` shows the run when it is done")
        }
    }
}

extension String {
    /// The string right-aligned in `width` columns.
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
