import Foundation
import XCTest

/// `herd inspect` run as a user would, over the real robustness files.
final class InspectCommandTests: XCTestCase {
    func robustnessFiles() throws -> [String] {
        let root = HerdBinary.sharedData + "/robustness"
        var files: [String] = []
        for folder in try FileManager.default.contentsOfDirectory(atPath: root).sorted() {
            for name in try FileManager.default.contentsOfDirectory(atPath: root + "/" + folder).sorted() {
                files.append(root + "/" + folder + "/" + name)
            }
        }
        return files
    }

    func testJSONOverEveryRobustnessFile() throws {
        let files = try robustnessFiles()
        let result = try HerdBinary.run(["inspect", "--json"] + files)
        XCTAssertEqual(result.status, 1, "some files fail, none crash: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, files.count, "one JSON object per file")
        var byName: [String: [String: Any]] = [:]
        for line in lines {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for key in ["path", "format", "width", "height", "orientation", "error"] {
                XCTAssertTrue(object.keys.contains(key), "\(key) missing in \(line)")
            }
            let path = try XCTUnwrap(object["path"] as? String)
            // Each file has dimensions or an error.
            XCTAssertTrue(object["error"] is String || object["width"] is Int, String(line))
            byName[(path as NSString).lastPathComponent] = object
        }
        for n in 0...8 {
            XCTAssertEqual(byName["Landscape_\(n).jpg"]?["width"] as? Int, 450)
            XCTAssertEqual(byName["Landscape_\(n).jpg"]?["height"] as? Int, 300)
            XCTAssertEqual(byName["Portrait_\(n).jpg"]?["width"] as? Int, 300)
            XCTAssertEqual(byName["Portrait_\(n).jpg"]?["height"] as? Int, 450)
            XCTAssertTrue(byName["Landscape_\(n).jpg"]?["error"] is NSNull)
        }
        XCTAssertTrue((byName["monkey12.jpg"]?["error"] as? String)?.contains("12-bit") ?? false)
        let corruptPNGs = byName.filter { $0.key.hasPrefix("x") && $0.key.hasSuffix(".png") }
        XCTAssertGreaterThan(corruptPNGs.count, 10)
        for (name, object) in corruptPNGs {
            XCTAssertTrue(object["error"] is String, "\(name) should fail with a message")
        }
        XCTAssertEqual(byName["012mp-bus.jpg"]?["taken_at"] as? String, "2024-09-28T11:03:29")
        XCTAssertTrue(result.stderr.contains("could not be decoded"))
    }

    func testHumanOutputAndSuccessStatus() throws {
        let path = HerdBinary.sharedData + "/robustness/exif-orientation/Portrait_6.jpg"
        let result = try HerdBinary.run(["inspect", path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("300×450 upright, stored 450×300"), result.stdout)
        XCTAssertTrue(result.stdout.contains("orientation  6"), result.stdout)
    }

    func testUsageErrorsExitWithTwo() throws {
        XCTAssertEqual(try HerdBinary.run(["inspect"]).status, 2)
        XCTAssertEqual(try HerdBinary.run(["inspect", "--no-such-flag", "x.jpg"]).status, 2)
        XCTAssertEqual(try HerdBinary.run(["no-such-command"]).status, 2)
    }

    func testPreprocessWritesTheEncoderInput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("herd-e2e-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = HerdBinary.sharedData + "/robustness/pillow/hopper.jpg"
        let bad = HerdBinary.sharedData + "/robustness/junk/Thumbs.db"
        let result = try HerdBinary.run(["preprocess", good, bad, "--npy", dir.path + "/x.npy"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("Thumbs.db"), result.stderr)
        let bytes = try Data(contentsOf: dir.appendingPathComponent("x.npy"))
        XCTAssertEqual(bytes.count, 128 + 3 * 224 * 224 * 4)
        XCTAssertTrue(String(decoding: bytes.prefix(128), as: UTF8.self).contains("(1, 3, 224, 224)"))
    }
}
