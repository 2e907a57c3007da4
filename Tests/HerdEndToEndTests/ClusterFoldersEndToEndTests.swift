import Foundation
import XCTest

/// Clusters and their folders, end to end: `herd init` on a temporary copy of `Tests/Data/photos/clothing`,
/// `herd run`, and the cluster commands. It uses the `byte-histogram-64` test-seam model (the real ViT is too slow in
/// debug builds) and short training (HERD_TRAIN_STEPS), so it checks the daemon's behaviour, not clustering quality;
/// `herd-bench stability` measures that.
final class ClusterFoldersEndToEndTests: XCTestCase {
    func testFoldersFollowAssignmentsRetrainsLabelsMergesAndDeletes() throws {
        let herd = try HerdHarness(extraEnvironment: ["HERD_TRAIN_STEPS": "150", "HERD_RETRAIN_INTERVAL_MIN": "0"])
        defer { herd.remove() }
        let photos = try HerdHarness.clothingPhotos()
        // 20 photos, spread over the categories, are held back to be added later.
        let later = photos.enumerated().filter { $0.offset % 12 == 5 }.map(\.element).prefix(20)
        let first = photos.filter { !later.contains($0) }
        try herd.copy(first, to: "2023")
        try herd.initialise()
        let daemon = try herd.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }

        // The first retrain runs once the photos are embedded; every photo gets one link and every folder a sheet.
        XCTAssertTrue(herd.waitUntil(timeout: 120) { try folders(herd).linked.count == first.count }, herd.daemonLog)
        try assertFoldersSound(herd, photos: Set(try herd.files().map(\.path)))
        let firstRun = try lastRetrain(herd)
        XCTAssertEqual(firstRun?["reason"] as? String, "first")
        XCTAssertEqual(firstRun?["method"] as? String, "cold, exact neighbours")

        // Name the biggest cluster.
        let clusters = try json(herd, ["clusters", "--json"]) as? [[String: Any]] ?? []
        let biggest = try XCTUnwrap(clusters.max { ($0["size"] as? Int ?? 0) < ($1["size"] as? Int ?? 0) })
        let beach = try XCTUnwrap(biggest["id"] as? Int)
        let labelled = try herd.run(["label", String(beach), "Beach"])
        XCTAssertEqual(labelled.status, 0, labelled.stderr)
        let beachFolder = String(format: "%02d-Beach", beach)
        XCTAssertTrue(herd.waitUntil(timeout: 10) { try folders(herd).names.contains(beachFolder) }, herd.daemonLog)
        let beachPhotos = Set(try folders(herd).members[beachFolder] ?? [])

        // 20 new photos are assigned by the current head: linked, and no retrain.
        try herd.copy(Array(later), to: "2024")
        XCTAssertTrue(herd.waitUntil(timeout: 60) { try folders(herd).linked.count == first.count + later.count }, herd.daemonLog)
        try assertFoldersSound(herd, photos: Set(try herd.files().map(\.path)))
        XCTAssertEqual(try lastRetrain(herd)?["at"] as? String, firstRun?["at"] as? String, "adding 20 photos does not retrain")

        // A forced retrain starts warm and keeps the label on the cluster whose photos stay.
        let forced = try herd.run(["recluster", "--wait", "--json"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        let run = try XCTUnwrap(try lastRetrain(herd))
        XCTAssertEqual(run["reason"] as? String, "requested")
        XCTAssertEqual(run["method"] as? String, "warm, index neighbours")
        let names = { (try? self.folders(herd).names.description) ?? "" }
        XCTAssertTrue(herd.waitUntil(timeout: 20) { try folders(herd).names.contains(beachFolder) }, names())
        let kept = Set(try folders(herd).members[beachFolder] ?? []).intersection(beachPhotos).count
        XCTAssertGreaterThan(kept * 2, beachPhotos.count, "most of the labelled cluster's photos stay in it")
        try assertFoldersSound(herd, photos: Set(try herd.files().map(\.path)))

        // A deleted photo loses its link.
        let victim = herd.library + "/2024/" + ((later.first ?? "") as NSString).lastPathComponent
        try FileManager.default.removeItem(atPath: victim)
        XCTAssertTrue(herd.waitUntil(timeout: 20) { !(try folders(herd).linked.contains(victim)) }, herd.daemonLog)
        try assertFoldersSound(herd, photos: Set(try herd.files().map(\.path)))

        // Similar photos through the index: a catalogued photo, and a file outside the library embedded on the fly.
        let query = herd.library + "/2023/" + (first[0] as NSString).lastPathComponent
        let similar = try json(herd, ["similar", query, "-k", "5", "--json"]) as? [[String: Any]] ?? []
        XCTAssertEqual(similar.count, 5)
        XCTAssertFalse(similar.contains { $0["path"] as? String == query })
        let outside = try json(herd, ["similar", later.last ?? "", "-k", "3", "--json"]) as? [[String: Any]] ?? []
        XCTAssertEqual(outside.first?["path"] as? String, herd.library + "/2024/" + ((later.last ?? "") as NSString).lastPathComponent,
                       "the library's copy of the same image is nearest")

        // Merging moves one cluster's photos into another, whose folder keeps its name.
        let before = try folders(herd)
        let other = try XCTUnwrap((try json(herd, ["clusters", "--json"]) as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }.first { $0 != beach })
        let otherFolder = try XCTUnwrap(before.names.first { $0.hasPrefix(String(format: "%02d-", other)) })
        let merged = try herd.run(["merge", String(beach), String(other)])
        XCTAssertEqual(merged.status, 0, merged.stderr)
        XCTAssertTrue(herd.waitUntil(timeout: 20) { !(try folders(herd).names.contains(otherFolder)) }, herd.daemonLog)
        XCTAssertTrue(herd.waitUntil(timeout: 20) {
            Set(try folders(herd).members[beachFolder] ?? []) == Set((before.members[beachFolder] ?? []) + (before.members[otherFolder] ?? []))
        })
        let shown = try json(herd, ["show", String(beach), "--json"]) as? [String: Any]
        XCTAssertEqual((shown?["photos"] as? [Any])?.count, (before.members[beachFolder]?.count ?? 0) + (before.members[otherFolder]?.count ?? 0))
        XCTAssertEqual(try herd.run(["label", "999", "Nope"]).status, 2, "an unknown cluster is a usage error")

        daemon.terminate()
        daemon.waitUntilExit()
        XCTAssertEqual(daemon.terminationStatus, 0, herd.daemonLog)

        // Without a daemon the CLI does the work itself.
        let renamed = try herd.run(["label", String(beach), "Seaside"])
        XCTAssertEqual(renamed.status, 0, renamed.stderr)
        XCTAssertTrue(try folders(herd).names.contains(String(format: "%02d-Seaside", beach)))
        let recluster = try herd.run(["recluster", "--clusters", "4"])
        XCTAssertEqual(recluster.status, 0, recluster.stderr)
        XCTAssertEqual(try folders(herd).names.count, 4)
        try assertFoldersSound(herd, photos: Set(try herd.files().map(\.path)))
        let status = try herd.run(["status"])
        XCTAssertTrue(status.stdout.contains("last retrain") && status.stdout.contains("requested"), status.stdout)
    }

    /// The output tree: folder names, each folder's link targets, and every target.
    private struct Tree {
        var names: [String] = []
        var members: [String: [String]] = [:]
        var linked: [String] = []
    }

    private func folders(_ herd: HerdHarness) throws -> Tree {
        var tree = Tree()
        let fm = FileManager.default
        // `_duplicates`, `_overview` and `index.html` are the duplicates and overview (OverviewEndToEndTests).
        for name in try fm.contentsOfDirectory(atPath: herd.output).sorted() where HerdHarness.isHerdFolder(name) {
            tree.names.append(name)
            var targets: [String] = []
            for entry in try fm.contentsOfDirectory(atPath: herd.output + "/" + name) where entry != "_contact-sheet.jpg" {
                let link = herd.output + "/" + name + "/" + entry
                let destination = try fm.destinationOfSymbolicLink(atPath: link)
                targets.append(URL(fileURLWithPath: destination, relativeTo: URL(fileURLWithPath: herd.output + "/" + name + "/")).standardizedFileURL.path)
            }
            tree.members[name] = targets
            tree.linked += targets
        }
        return tree
    }

    /// One valid link per catalogued photo, no dangling link, and a JPEG contact sheet in every folder.
    private func assertFoldersSound(_ herd: HerdHarness, photos: Set<String>, file: StaticString = #filePath, line: UInt = #line) throws {
        let tree = try folders(herd)
        XCTAssertEqual(tree.linked.count, Set(tree.linked).count, "one link per photo", file: file, line: line)
        XCTAssertEqual(Set(tree.linked), photos, file: file, line: line)
        for target in tree.linked {
            XCTAssertTrue(FileManager.default.fileExists(atPath: target), "dangling link to \(target)", file: file, line: line)
        }
        for name in tree.names {
            let sheet = FileManager.default.contents(atPath: herd.output + "/" + name + "/_contact-sheet.jpg") ?? Data()
            XCTAssertEqual(Array(sheet.prefix(2)), [0xFF, 0xD8], "\(name) has a JPEG contact sheet", file: file, line: line)
        }
    }

    private func lastRetrain(_ herd: HerdHarness) throws -> [String: Any]? {
        try herd.status()["lastRetrain"] as? [String: Any]
    }

    private func json(_ herd: HerdHarness, _ arguments: [String]) throws -> Any {
        let result = try herd.run(arguments)
        guard result.status == 0 else { throw HarnessError(message: "herd \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }
}
