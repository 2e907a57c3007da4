import Catalog
import Foundation

/// Labels and merges outlive the catalogue: after every retrain, label and merge, the clusters (id, label, member
/// contents) and the requested cluster count are written to `.herd-journal` in the output folder. A catalogue rebuilt
/// from scratch (a corrupt one moved aside) reads it at its first retrain: photos are matched to their old clusters by
/// content hash, so the clusters keep their numbers, and the labels and the cluster count come back.
struct LabelJournal: Codable, Equatable {
    struct Cluster: Codable, Equatable {
        var id: Int
        var label: String?
        /// Hex SHA-256 of each member's content.
        var members: [String]
    }

    static let fileName = ".herd-journal"
    static let magic = "herd-label-journal"
    static let version = 1

    var magic = LabelJournal.magic
    var version = LabelJournal.version
    var clusters: [Cluster]
    /// The `clusters` setting (`herd recluster --clusters`, merges), when set.
    var clusterCount: String?
}

extension Herds {
    var journalPath: String { configuration.output + "/" + LabelJournal.fileName }

    /// Writes the journal of the current clusters (atomically); a failure is logged, not thrown: the catalogue holds
    /// the truth, the journal is its backup.
    func writeJournal() {
        do {
            let clusters = try catalog.clusterMembership().map {
                LabelJournal.Cluster(id: $0.id, label: $0.label, members: $0.contentHashes.map(ContentHash.hex))
            }
            let journal = LabelJournal(clusters: clusters, clusterCount: try catalog.setting("clusters"))
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            try Syscall.writeAtomically(try encoder.encode(journal), to: journalPath)
        } catch {
            logger.warning("cannot write the labels journal", metadata: ["path": "\(journalPath)", "error": "\(error)"])
        }
    }

    /// The journal left by an earlier catalogue, if there is a readable one of this version.
    func readJournal() -> LabelJournal? {
        guard let data = FileManager.default.contents(atPath: journalPath) else { return nil }
        guard let journal = try? JSONDecoder().decode(LabelJournal.self, from: data), journal.magic == LabelJournal.magic,
              journal.version == LabelJournal.version
        else {
            logger.warning("the labels journal is not readable by this herd; labels are not restored from it", metadata: ["path": "\(journalPath)"])
            return nil
        }
        return journal
    }

    /// For a catalogue that has never clustered: each photo's cluster id from the journal (-1 when not in it), and the
    /// journal's cluster count restored as the setting. Nil when there is no journal to restore from.
    func journalPreviousIDs(for photos: [PhotoFeatures]) throws -> (ids: [Int], journal: LabelJournal)? {
        guard let journal = readJournal(), !journal.clusters.isEmpty else { return nil }
        var byHash: [String: Int] = [:]
        for cluster in journal.clusters { for member in cluster.members { byHash[member] = cluster.id } }
        if let count = journal.clusterCount, try catalog.setting("clusters") == nil { try catalog.setSetting("clusters", count) }
        return (photos.map { byHash[ContentHash.hex($0.contentHash)] ?? -1 }, journal)
    }

    /// After the first retrain of a rebuilt catalogue: the journal's labels on the clusters that kept their ids.
    func restoreLabels(from journal: LabelJournal) throws {
        var restored = 0
        for cluster in journal.clusters {
            guard let label = cluster.label else { continue }
            if try catalog.setLabel(label, ofCluster: cluster.id) { restored += 1 }
        }
        if restored > 0 { logger.notice("labels restored from the journal", metadata: ["labels": "\(restored)", "path": "\(journalPath)"]) }
    }
}
