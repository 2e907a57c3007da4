import ArgumentParser
import Catalog
import Daemon
import Foundation

/// `herd check`: verifies the catalogue file (after a crash, say).
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Verify the catalogue: SQLite's integrity check and herd's own invariants.")

    @Flag(help: "Print as JSON.")
    var json = false

    @OptionGroup var paths: PathOptions

    func run() async throws {
        let reader = try CatalogReader(paths)
        let catalog = reader.catalog, paths = reader.paths
        let model = try reader.modelID(configured: reader.configuredModel)
        let report = CheckReport(
            catalog: paths.catalog, integrity: try catalog.integrityCheck(),
            embeddedWithoutFeatures: try catalog.embeddedFilesLackingFeatures(modelID: model))
        if json {
            try JSONOutput.print(report)
        } else {
            print("integrity     \(report.integrity.joined(separator: "; "))")
            print("embedded files lacking features: \(report.embeddedWithoutFeatures.count)")
            for path in report.embeddedWithoutFeatures.prefix(20) { print("  \(path)") }
        }
        if !report.ok {
            throw DaemonError(.configuration, path: paths.catalog, "the catalogue has problems (above); move it aside and run `herd scan` to rebuild it")
        }
    }
}

/// What `herd check --json` prints.
struct CheckReport: Encodable {
    var catalog: String
    var integrity: [String]
    var embeddedWithoutFeatures: [String]
    var ok: Bool { integrity == ["ok"] && embeddedWithoutFeatures.isEmpty }

    enum CodingKeys: String, CodingKey { case catalog, integrity, embeddedWithoutFeatures, ok }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(catalog, forKey: .catalog)
        try c.encode(integrity, forKey: .integrity)
        try c.encode(embeddedWithoutFeatures, forKey: .embeddedWithoutFeatures)
        try c.encode(ok, forKey: .ok)
    }
}
