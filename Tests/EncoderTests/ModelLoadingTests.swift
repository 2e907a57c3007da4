import Foundation
import XCTest
@testable import Encoder

/// Loading a model quickly: the tiled transpose of weight matrices and the remembered weights digest.
final class ModelLoadingTests: XCTestCase {
    func testTiledTransposeMatchesTheNaiveLoop() {
        for (rows, columns) in [(1, 1), (1, 70), (70, 1), (31, 33), (64, 64), (384, 1536), (100, 37)] {
            let m = (0..<(rows * columns)).map { Float($0 % 9973) - 4000.5 }
            var naive = [Float](repeating: 0, count: m.count)
            for r in 0..<rows {
                for c in 0..<columns { naive[c * rows + r] = m[r * columns + c] }
            }
            XCTAssertEqual(FloatBuffer(transposing: m, rows: rows, columns: columns).array, naive, "[\(rows), \(columns)]")
        }
    }

    func testWeightsDigestIsRememberedUntilTheFileChanges() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("herd-digest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("some-model")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let weights = folder.appendingPathComponent("model.safetensors").path
        try Data("first weights".utf8).write(to: URL(fileURLWithPath: weights))
        let store = ModelStore(root: root)

        let first = try store.digest(ofWeights: weights)
        XCTAssertEqual(first, FileDigest.sha256Hex(Data("first weights".utf8)))
        let cache = weights + ".sha256"
        let saved = try String(contentsOfFile: cache, encoding: .utf8)
        XCTAssertTrue(saved.hasPrefix(first + "\n"), saved)

        // The remembered value is what is used while the file is unchanged: plant another digest to see it.
        let planted = String(repeating: "ab", count: 32)
        try Data(saved.replacingOccurrences(of: first, with: planted).utf8).write(to: URL(fileURLWithPath: cache))
        XCTAssertEqual(try store.digest(ofWeights: weights), planted)

        // A rewritten file (new size and time) is hashed again, and the cache follows.
        try Data("second, longer weights".utf8).write(to: URL(fileURLWithPath: weights))
        XCTAssertEqual(try store.digest(ofWeights: weights), FileDigest.sha256Hex(Data("second, longer weights".utf8)))
        XCTAssertEqual(try store.digest(ofWeights: weights), FileDigest.sha256Hex(Data("second, longer weights".utf8)))

        // A damaged cache is ignored.
        try Data("not a digest\n".utf8).write(to: URL(fileURLWithPath: cache))
        XCTAssertEqual(try store.digest(ofWeights: weights), FileDigest.sha256Hex(Data("second, longer weights".utf8)))

        // Weights outside the store are hashed every time and leave nothing beside them.
        let outside = root.appendingPathComponent("elsewhere.safetensors").path
        try Data("loose weights".utf8).write(to: URL(fileURLWithPath: outside))
        XCTAssertEqual(try store.digest(ofWeights: outside), FileDigest.sha256Hex(Data("loose weights".utf8)))
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside + ".sha256"))
    }
}
