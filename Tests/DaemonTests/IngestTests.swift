import Catalog
import Crypto
@testable import Daemon
import Foundation
import Imaging
import Synchronization
import Tensor
import XCTest

/// Counts the paths handed to an extractor, to check what is (not) re-encoded.
final class CountingExtractor: Sendable {
    final class Log: Sendable {
        let seen = Mutex<[String]>([])
    }

    private let log = Log()
    let extractor: FeatureExtractor

    init(_ inner: FeatureExtractor = .byteHistogram()) {
        let log = self.log
        extractor = FeatureExtractor(modelID: inner.modelID) { photos in
            log.seen.withLock { $0 += photos.map(\.path) }
            return inner.extract(photos)
        }
    }

    var paths: [String] { log.seen.withLock { $0 } }
}

final class IngestTests: XCTestCase {
    private func pipeline(_ catalog: Catalog, _ extractor: FeatureExtractor, batchSize: Int = 8) throws -> IngestPipeline {
        let run = try catalog.beginRun(kind: "test", pid: getpid(), modelID: extractor.modelID, blasCore: nil)
        return IngestPipeline(
            catalog: catalog, extractor: extractor, inspector: .imaging(), workers: ComputePool(threads: 2), batchSize: batchSize,
            runID: run, logger: .test)
    }

    func testIngestsRealPhotosListsBrokenOnesAndNeverReencodesKnownContent() async throws {
        let fixture = try LibraryFixture()
        defer { fixture.remove() }
        let catalog = try Catalog.openForWriting(path: fixture.catalogPath)
        let scanner = Scanner(layout: fixture.layout, catalog: catalog, logger: .test)
        let shirts = try fixture.copy(try LibraryFixture.photos("shirt", count: 12), to: "shirts")
        let robustness = HerdTestPaths.sharedData + "/robustness/"
        let broken = ["jpeg-malformed/empty.jpg", "jpeg-malformed/missing-sof.jpg", "junk/lfs_pointer_image_06743.jpg"]
        try fixture.copy(broken.map { robustness + $0 }, to: "broken")
        try fixture.copy(try FileManager.default.contentsOfDirectory(atPath: robustness + "pngsuite").sorted().prefix(4)
            .map { robustness + "pngsuite/" + $0 }, to: "png")
        // The same photo twice in one batch is encoded once.
        try FileManager.default.copyItem(atPath: shirts[0], toPath: fixture.library + "/shirts/twin.jpg")
        _ = try scanner.reconcileAll()

        let counting = CountingExtractor()
        let progress = try await pipeline(catalog, counting.extractor).drain()
        XCTAssertEqual(progress.files, 20)
        XCTAssertEqual(progress.failed, 3)
        let counts = try catalog.counts(modelID: counting.extractor.modelID)
        XCTAssertEqual(counts.files, 20)
        XCTAssertEqual(counts.embedded, 17)
        XCTAssertEqual(counts.failed, 3)
        XCTAssertEqual(counts.pending, 0)
        XCTAssertEqual(counting.paths.count, 16, "16 distinct contents; the twin is not encoded again")
        XCTAssertEqual(counts.imagesEncoded, 16)
        let failures = try catalog.files(matching: FileFilter(state: .failed))
        XCTAssertEqual(Set(failures.map { ($0.stat.path as NSString).lastPathComponent }), ["empty.jpg", "missing-sof.jpg", "lfs_pointer_image_06743.jpg"])
        XCTAssertTrue(failures.allSatisfy { ($0.error ?? "").count > 5 }, "\(failures.map(\.error))")
        let shirt = try XCTUnwrap(catalog.file(atPath: shirts[1]))
        XCTAssertEqual(shirt.metadata?.format, "jpeg")
        XCTAssertGreaterThan(shirt.metadata?.width ?? 0, 0)

        // Copies, renames and a second drain: no encoder work; of the failures only the kind retried at every rescan
        // (the text file named .jpg, an unsupported format a later herd may read) is tried again, and fails the same way.
        try FileManager.default.copyItem(atPath: shirts[2], toPath: fixture.library + "/copy.jpg")
        try FileManager.default.moveItem(atPath: shirts[3], toPath: fixture.library + "/renamed.jpg")
        _ = try scanner.reconcileAll()
        let again = try await pipeline(catalog, counting.extractor).drain()
        XCTAssertEqual(again.files, 2, "the copy, and the unsupported-format failure retried")
        XCTAssertEqual(again.reused, 1)
        XCTAssertEqual(again.failed, 1)
        let retried = try XCTUnwrap(catalog.file(atPath: fixture.library + "/broken/lfs_pointer_image_06743.jpg"))
        XCTAssertEqual(retried.failure, .unsupported)
        XCTAssertEqual(try catalog.file(atPath: fixture.library + "/broken/empty.jpg")?.failure, .corrupt, "a damaged file waits for a change")
        XCTAssertEqual(counting.paths.count, 16)
        XCTAssertEqual(try catalog.file(atPath: fixture.library + "/copy.jpg")?.state, .done)

        // A failed file is retried once it changes, and then succeeds.
        try FileManager.default.removeItem(atPath: fixture.library + "/broken/missing-sof.jpg")
        try FileManager.default.copyItem(atPath: try LibraryFixture.photos("hat", count: 1)[0], toPath: fixture.library + "/broken/missing-sof.jpg")
        _ = try scanner.reconcileAll()
        _ = try await pipeline(catalog, counting.extractor).drain()
        XCTAssertEqual(try catalog.file(atPath: fixture.library + "/broken/missing-sof.jpg")?.state, .done)
        XCTAssertEqual(counting.paths.count, 17)
        XCTAssertEqual(try catalog.counts(modelID: counting.extractor.modelID).failed, 2)
    }

    func testStopsBetweenBatchesAndResumesWhereItStopped() async throws {
        let fixture = try LibraryFixture()
        defer { fixture.remove() }
        let catalog = try Catalog.openForWriting(path: fixture.catalogPath)
        try fixture.copy(try LibraryFixture.photos("dress", count: 10), to: "d")
        _ = try Scanner(layout: fixture.layout, catalog: catalog, logger: .test).reconcileAll()
        let counting = CountingExtractor()
        let first = try await pipeline(catalog, counting.extractor, batchSize: 3).drain(shouldStop: { true })
        XCTAssertEqual(first.batches, 1)
        XCTAssertEqual(try catalog.counts(modelID: counting.extractor.modelID).pending, 7)
        let rest = try await pipeline(catalog, counting.extractor, batchSize: 3).drain()
        XCTAssertEqual(rest.files, 7)
        XCTAssertEqual(counting.paths.count, 10, "nothing committed is encoded twice")
    }

    func testDecodeThenEncodeKeepsOrderAndReportsDecodeFailures() {
        struct Bad: Error {}
        let extractor = FeatureExtractor.decodeThenEncode(
            modelID: "m", pool: ComputePool(threads: 3),
            decode: { photo -> Float in
                guard let value = Float(photo.path) else { throw Bad() }
                return value
            },
            encode: { inputs in inputs.map { [$0 * 2] } })
        let results = extractor.extract(["1", "x", "3", "4"].map { PhotoSource(path: $0) })
        XCTAssertEqual(results.map { try? $0.get() }, [[2], nil, [6], [8]])
    }

    /// A new photo is read from disk once: the inspector and the decoder get the very bytes that were hashed. A file
    /// too big to keep in the batch's budget is streamed through the hash and read again by the decoder.
    func testEachNewPhotoIsReadOnceAndDecodedFromTheBytesThatWereHashed() async throws {
        let fixture = try LibraryFixture()
        defer { fixture.remove() }
        let catalog = try Catalog.openForWriting(path: fixture.catalogPath)
        let photos = try fixture.copy(try LibraryFixture.photos("hat", count: 6), to: "hats")
        _ = try Scanner(layout: fixture.layout, catalog: catalog, logger: .test).reconcileAll()

        let seen = Mutex<[String: Data?]>([:])
        let inspected = Mutex<[String: Bool]>([:])
        let decoder = ImageDecoder()
        let extractor = FeatureExtractor.decodeThenEncode(
            modelID: "m", pool: ComputePool(threads: 2),
            decode: { photo -> Float in
                seen.withLock { $0[photo.path] = photo.bytes }
                let image = try photo.decode(with: decoder, minimumShortSide: 32).image
                return Float(image.width)
            },
            encode: { inputs in inputs.map { [$0, 1] } })
        let inspector = ImageInspector { path, bytes in
            inspected.withLock { $0[path] = bytes != nil }
            return try ImageInspector.imaging().inspect(path, bytes)
        }
        let run = try catalog.beginRun(kind: "test", pid: getpid(), modelID: "m", blasCore: nil)
        let pipeline = IngestPipeline(
            catalog: catalog, extractor: extractor, inspector: inspector, workers: ComputePool(threads: 2), batchSize: 4, runID: run,
            logger: .test)
        let progress = try await pipeline.drain()
        XCTAssertEqual(progress.encoded, 6)
        XCTAssertEqual(inspected.withLock { $0 }, Dictionary(uniqueKeysWithValues: photos.map { ($0, true) }), "inspected from the bytes read")
        for path in photos {
            let bytes = try XCTUnwrap(seen.withLock { $0[path] } ?? nil, "\(path) was decoded from the bytes read while hashing")
            XCTAssertEqual(bytes, try Data(contentsOf: URL(fileURLWithPath: path)))
            XCTAssertEqual(try catalog.file(atPath: path)?.contentHash, Data(SHA256.hash(data: bytes)), "the hash is of the decoded bytes")
        }

        // Over the budget: hashed by streaming, the decoder reads the file (and still gets the same photo).
        let budget = ReadBudget(bytes: 10)
        let big = try PhotoRead.read(photos[0], keep: budget.take)
        XCTAssertNil(big.bytes)
        XCTAssertEqual(big.hash, Data(SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: photos[0])))))
        XCTAssertEqual(try PhotoSource(path: photos[0]).decode(with: decoder, minimumShortSide: 32).image.width,
                       try PhotoSource(path: photos[0], bytes: Data(contentsOf: URL(fileURLWithPath: photos[0]))).decode(with: decoder, minimumShortSide: 32).image.width)
    }
}
