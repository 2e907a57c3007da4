import Encoder
import Foundation
import XCTest

/// `herd model fetch` against a loopback hub: resume, truncation, corruption, atomic install.
final class ModelFetchTests: XCTestCase {
    var server: LoopbackHTTPServer!
    var root: URL!
    var weights: Data!
    var config: Data!
    let model = PublishedModel.all[0]  // dino-vits16, served here with the tiny v1 fixture's bytes

    override func setUpWithError() throws {
        server = try LoopbackHTTPServer()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("herd-fetch-\(UUID().uuidString)")
        let fixture = try FixtureModel("tiny-v1")
        weights = try Data(contentsOf: URL(fileURLWithPath: fixture.weightsPath))
        config = try Data(contentsOf: URL(fileURLWithPath: fixture.configPath))
        let listing: [[String: Any]] = [
            ["type": "file", "path": "config.json", "size": config.count],
            ["type": "file", "path": "model.safetensors", "size": weights.count, "lfs": ["oid": FileDigest.sha256Hex(weights), "size": weights.count]],
        ]
        server.set("/api/models/facebook/dino-vits16/tree/main", .init(body: try JSONSerialization.data(withJSONObject: listing)))
        server.set("/facebook/dino-vits16/resolve/main/config.json", .init(body: config))
    }

    override func tearDownWithError() throws {
        server.stop()
        try? FileManager.default.removeItem(at: root)
    }

    var fetch: ModelFetch { ModelFetch(hub: server.base, store: ModelStore(root: root)) }
    let weightsPath = "/facebook/dino-vits16/resolve/main/model.safetensors"

    func testCompleteDownloadInstallsModel() async throws {
        server.set(weightsPath, .init(body: weights))
        let config = try await fetch.fetch(model)
        XCTAssertEqual(config.hidden, 32)
        let installed = try XCTUnwrap(ModelStore(root: root).installed(model.name))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: installed.weightsPath)), weights)
        XCTAssertNotNil(installed.configPath)
        XCTAssertEqual(ModelStore(root: root).list().map(\.name), [model.name])
    }

    func testTruncatedDownloadFailsThenResumes() async throws {
        server.set(weightsPath, .init(body: weights, cutAfter: weights.count / 3))
        do {
            try await fetch.fetch(model)
            XCTFail("a truncated download must fail")
        } catch {
            XCTAssertTrue("\(error)".contains("run the same command again to resume"), "\(error)")
        }
        XCTAssertNil(ModelStore(root: root).installed(model.name), "nothing installed after a failed download")

        server.set(weightsPath, .init(body: weights))
        try await fetch.fetch(model)
        let ranges = server.requests.filter { $0.path == weightsPath }.map(\.range)
        XCTAssertEqual(ranges.count, 2)
        XCTAssertNil(ranges[0])
        XCTAssertEqual(ranges[1], "bytes=\(weights.count / 3)-", "the second request resumes where the first stopped")
        let installed = try XCTUnwrap(ModelStore(root: root).installed(model.name))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: installed.weightsPath)), weights)
    }

    func testServerIgnoringRangeRestartsFromZero() async throws {
        server.set(weightsPath, .init(body: weights, cutAfter: 1000))
        _ = try? await fetch.fetch(model)
        server.set(weightsPath, .init(body: weights, ranges: false))
        try await fetch.fetch(model)
        let installed = try XCTUnwrap(ModelStore(root: root).installed(model.name))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: installed.weightsPath)), weights)
    }

    func testCorruptedDownloadIsRejectedAndRemoved() async throws {
        var corrupt = weights!
        corrupt[corrupt.count - 10] ^= 0xFF
        server.set(weightsPath, .init(body: corrupt))
        do {
            try await fetch.fetch(model)
            XCTFail("a corrupted download must fail")
        } catch {
            XCTAssertTrue("\(error)".contains("failed its checksum"), "\(error)")
        }
        XCTAssertNil(ModelStore(root: root).installed(model.name))
        let partial = root.appendingPathComponent(".downloads/\(model.name).safetensors.part")
        XCTAssertFalse(FileManager.default.fileExists(atPath: partial.path), "the corrupt file is removed so the next fetch starts clean")

        server.set(weightsPath, .init(body: weights))
        try await fetch.fetch(model)
        XCTAssertNotNil(ModelStore(root: root).installed(model.name))
    }

    func testMissingRepositoryIsAClearError() async throws {
        let other = PublishedModel.all[2]
        do {
            try await fetch.fetch(other)
            XCTFail("expected an error")
        } catch {
            XCTAssertTrue("\(error)".contains("HTTP 404"), "\(error)")
        }
    }

    func testReinstallReplacesAtomically() async throws {
        server.set(weightsPath, .init(body: weights))
        try await fetch.fetch(model)
        try await fetch.fetch(model)
        XCTAssertEqual(ModelStore(root: root).list().map(\.name), [model.name])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix(".staging") }
        XCTAssertEqual(leftovers, [])
    }
}
