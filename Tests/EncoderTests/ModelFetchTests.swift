import Encoder
import Foundation
import HerdTestSupport
import XCTest

/// `herd model fetch` against a loopback hub laid out as the real repositories are today: DINO v1 with only
/// pytorch_model.bin on main (safetensors on the conversion PR, refs/pr/1), DINOv2 with model.safetensors
/// and pytorch_model.bin; tree API with LFS entries; LFS files redirected to a storage host.
final class ModelFetchTests: XCTestCase {
    var hub: LoopbackHub!
    var root: URL!
    var v1: FixtureModel!
    var v2: FixtureModel!

    override func setUpWithError() throws {
        hub = try LoopbackHub()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("herd-fetch-\(UUID().uuidString)")
        v1 = try FixtureModel("tiny-v1")
        v2 = try FixtureModel("tiny-v2")
        for model in PublishedModel.all {
            let fixture: FixtureModel = model.family == .dinoV1 ? v1 : v2
            let readme = Data("---\nlicense: apache-2.0\n---\n".utf8)
            let config = try fixture.data("config.json")
            let commit = Self.commit(model)
            var revisions = ["main"]
            if model.isPinned { revisions.append(model.revision) }
            if model.family == .dinoV1 {
                try hub.publish(model.repository, revisions: revisions, commit: commit,
                                files: [("README.md", readme), ("config.json", config), ("pytorch_model.bin", try fixture.data("pytorch_model.bin"))])
                try hub.publish(model.repository, revisions: ["refs/pr/1"], commit: String(repeating: "c", count: 40),
                                files: [("config.json", config), ("model.safetensors", try fixture.data("model.safetensors")),
                                        ("pytorch_model.bin", try fixture.data("pytorch_model.bin"))])
            } else {
                try hub.publish(model.repository, revisions: revisions, commit: commit,
                                files: [("README.md", readme), ("config.json", config), ("model.safetensors", try fixture.data("model.safetensors")),
                                        ("pytorch_model.bin", try fixture.data("pytorch_model.bin"))])
            }
        }
    }

    override func tearDownWithError() throws {
        hub.stop()
        try? FileManager.default.removeItem(at: root)
    }

    /// The commit the loopback hub reports for `model`'s revision.
    static func commit(_ model: PublishedModel) -> String {
        model.isPinned ? model.revision : String(repeating: "b", count: 40)
    }

    var store: ModelStore { ModelStore(root: root) }
    var fetch: ModelFetch { ModelFetch(hub: hub.base, store: store) }

    /// The model id digest of `fixture`'s weights imported from its safetensors file (in another store).
    func importedDigest(_ fixture: FixtureModel) throws -> String {
        let other = ModelStore(root: root.appendingPathComponent("imported"))
        return try other.install(file: URL(fileURLWithPath: fixture.weightsPath), config: try fixture.data("config.json"), name: "x").digest
    }

    func testEachPublishedModelInstallsFromAHubLaidOutAsToday() async throws {
        for model in PublishedModel.all {
            let fixture: FixtureModel = model.family == .dinoV1 ? v1 : v2
            let installed = try await fetch.fetch(model)
            XCTAssertEqual(installed.source.repository, model.repository)
            XCTAssertEqual(installed.source.file, model.family == .dinoV1 ? "pytorch_model.bin" : "model.safetensors", model.name)
            XCTAssertEqual(installed.source.revision, Self.commit(model), "the commit the hub resolved")
            XCTAssertEqual(installed.source.sha256, FileDigest.sha256Hex(try fixture.data(installed.source.file)))
            XCTAssertEqual(installed.digest, try importedDigest(fixture), "\(model.name): same id as the same weights imported")
            let revision = model.isPinned ? model.revision : "main"
            XCTAssertTrue(hub.hub.requests.contains { $0.path == "/api/models/\(model.repository)/tree/\(revision)" }, "the pinned revision's tree")
            let (weights, config) = try store.resolve(model.name)
            XCTAssertNotNil(config)
            let transformer = try VisionTransformer(contentsOf: weights, configPath: config, threads: 2, precision: .fp32)
            let (input, expected) = try fixture.pair("native")
            let (maxAbs, minCosine) = compare(try transformer.features(input), expected)
            XCTAssertLessThan(maxAbs, 1e-4, model.name)
            XCTAssertGreaterThan(minCosine, 0.99999, model.name)
        }
        // The weights came from the storage host the hub redirected to, and nothing is left to download.
        XCTAssertEqual(hub.storage.requests.count, PublishedModel.all.count)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(".downloads").path), [])
        XCTAssertEqual(store.list().map(\.name), PublishedModel.all.map(\.name).sorted())
    }

    func testRevisionOverrideTakesTheConversionPullRequestsSafetensorsWithTheSameId() async throws {
        let model = try XCTUnwrap(PublishedModel.named("dino-vits16"))
        let main = try await fetch.fetch(model)
        let pr = try await fetch.fetch(model, revision: "refs/pr/1")
        XCTAssertEqual(pr.source.file, "model.safetensors", "another revision prefers safetensors")
        XCTAssertEqual(pr.source.revision, String(repeating: "c", count: 40))
        XCTAssertTrue(hub.hub.requests.contains { $0.path == "/api/models/facebook/dino-vits16/tree/refs%2Fpr%2F1" })
        XCTAssertEqual(pr.digest, main.digest, "the same weights as the .bin on main: nothing to re-embed")
    }

    func testUnknownRevisionIsAClearError() async throws {
        do {
            try await fetch.fetch(PublishedModel.all[0], revision: "no-such-branch")
            XCTFail("expected an error")
        } catch {
            XCTAssertTrue("\(error)".contains("tree/no-such-branch") && "\(error)".contains("no revision 'no-such-branch'"), "\(error)")
        }
    }

    func testTruncatedDownloadFailsThenResumesWithRangeOnTheStorageHost() async throws {
        let model = PublishedModel.all[0]
        let weights = try v1.data("pytorch_model.bin")
        let storagePath = LoopbackHub.storagePath(weights)
        hub.storage.set(storagePath, .init(body: weights, cutAfter: weights.count / 3))
        do {
            try await fetch.fetch(model)
            XCTFail("a truncated download must fail")
        } catch {
            XCTAssertTrue("\(error)".contains("run the same command again to resume"), "\(error)")
        }
        XCTAssertNil(store.installed(model.name), "nothing installed after a failed download")

        hub.storage.set(storagePath, .init(body: weights))
        try await fetch.fetch(model)
        let ranges = hub.storage.requests.map(\.range)
        XCTAssertEqual(ranges.count, 2)
        XCTAssertNil(ranges[0])
        XCTAssertEqual(ranges[1], "bytes=\(weights.count / 3)-", "the resumed request, on the redirected URL, starts where the first stopped")
        XCTAssertEqual(hub.hub.requests.filter { $0.path.hasSuffix("/resolve/\(model.revision)/pytorch_model.bin") }.count, 2,
                       "each attempt resolves again (the storage URL is signed and expires)")
        XCTAssertNotNil(store.installed(model.name))
    }

    func testInstallRemovesPartialDownloadsOfOtherVersions() async throws {
        let model = PublishedModel.all[0]
        let downloads = root.appendingPathComponent(".downloads")
        try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        let stale = downloads.appendingPathComponent("\(model.name)-\(String(repeating: "e", count: 64))-pytorch_model.bin.part")
        let other = downloads.appendingPathComponent("dinov2-small-\(String(repeating: "e", count: 64))-model.safetensors.part")
        try Data(count: 1000).write(to: stale)
        try Data(count: 1000).write(to: other)
        try await fetch.fetch(model)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: downloads.path), [other.lastPathComponent],
                       "the stale part of this model is gone, another model's download is kept")
    }

    func testStorageIgnoringRangeRestartsFromZero() async throws {
        let model = PublishedModel.all[0]
        let weights = try v1.data("pytorch_model.bin")
        hub.storage.set(LoopbackHub.storagePath(weights), .init(body: weights, cutAfter: 1000))
        _ = try? await fetch.fetch(model)
        hub.storage.set(LoopbackHub.storagePath(weights), .init(body: weights, ranges: false))
        let installed = try await fetch.fetch(model)
        XCTAssertEqual(installed.source.sha256, FileDigest.sha256Hex(weights))
    }

    func testCorruptedDownloadIsRejectedAndRemoved() async throws {
        let model = PublishedModel.all[2]
        let weights = try v2.data("model.safetensors")
        var corrupt = weights
        corrupt[corrupt.count - 10] ^= 0xFF
        hub.storage.set(LoopbackHub.storagePath(weights), .init(body: corrupt))
        do {
            try await fetch.fetch(model)
            XCTFail("a corrupted download must fail")
        } catch {
            XCTAssertTrue("\(error)".contains("failed its checksum"), "\(error)")
        }
        XCTAssertNil(store.installed(model.name))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(".downloads").path), [],
                       "the corrupt file is removed so the next fetch starts clean")
        hub.storage.set(LoopbackHub.storagePath(weights), .init(body: weights))
        try await fetch.fetch(model)
        XCTAssertNotNil(store.installed(model.name))
    }

    func testMissingRepositoryIsAClearError() async throws {
        let other = PublishedModel(name: "dinov2-large", repository: "facebook/dinov2-large", revision: "main",
                                   file: "model.safetensors", family: .dinoV2, hidden: 1024, summary: "")
        do {
            try await fetch.fetch(other)
            XCTFail("expected an error")
        } catch {
            XCTAssertTrue("\(error)".contains("HTTP 404"), "\(error)")
        }
    }

    func testReinstallReplacesAtomically() async throws {
        let model = PublishedModel.all[0]
        try await fetch.fetch(model)
        try await fetch.fetch(model)
        XCTAssertEqual(store.list().map(\.name), [model.name])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix(".staging") }
        XCTAssertEqual(leftovers, [])
    }
}
