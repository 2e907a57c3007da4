import Daemon
import Encoder
import Foundation
import XCTest

final class ConfigurationTests: XCTestCase {
    func testPathsFollowFlagsThenEnvironmentThenXDG() {
        let env = ["HOME": "/home/u", "XDG_DATA_HOME": "/data", "XDG_CONFIG_HOME": "relative/ignored"]
        let defaults = HerdPaths(environment: env)
        XCTAssertEqual(defaults.config, "/home/u/.config/herd/config.toml")
        XCTAssertEqual(defaults.catalog, "/data/herd/catalog.sqlite")
        XCTAssertEqual(defaults.models, "/data/herd/models")
        XCTAssertEqual(defaults.cache, "/home/u/.cache/herd")
        var withOverrides = env
        withOverrides["HERD_CATALOG"] = "/tmp/c.sqlite"
        withOverrides["HERD_CACHE_DIR"] = "/tmp/cache"
        let overridden = HerdPaths(environment: withOverrides, catalog: "/flag/c.sqlite")
        XCTAssertEqual(overridden.catalog, "/flag/c.sqlite", "a flag beats the environment")
        XCTAssertEqual(overridden.cache, "/tmp/cache")
    }

    func testRoundTripsThroughTOMLWithDefaultsAndEnvironmentOverrides() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = folder.path + "/conf/config.toml"
        let configuration = HerdConfiguration(libraries: ["/a", "/b c"], output: "/out", model: "m", threads: 3)
        try configuration.write(to: file)
        XCTAssertEqual(try HerdConfiguration.load(from: file), configuration)
        try "libraries = [\"/x\"]\noutput = \"/y\"\n".write(toFile: file, atomically: true, encoding: .utf8)
        let minimal = try HerdConfiguration.load(from: file)
        XCTAssertEqual(minimal.model, HerdConfiguration.defaultModel)
        XCTAssertEqual(minimal.batchSize, 16)
        let overridden = try minimal.overridden(by: ["HERD_THREADS": "1", "HERD_MODEL": "other"])
        XCTAssertEqual(overridden.threads, 1)
        XCTAssertEqual(overridden.model, "other")
        XCTAssertThrowsError(try minimal.overridden(by: ["HERD_THREADS": "two"]))
    }

    func testPrecisionDefaultsToAutoAndCanBeSetOrOverridden() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let library = try folder.folder("Pictures")
        let file = folder.path + "/config.toml"
        try HerdConfiguration(libraries: [library], output: folder.path + "/out").write(to: file)
        XCTAssertTrue(try String(contentsOfFile: file, encoding: .utf8).contains("precision = 'auto'")
                      || String(contentsOfFile: file, encoding: .utf8).contains("precision = \"auto\""), "herd init writes the setting")
        try "libraries = [\"\(library)\"]\noutput = \"\(folder.path)/out\"\nprecision = \"fp32\"\n".write(toFile: file, atomically: true, encoding: .utf8)
        let fp32 = try HerdConfiguration.load(from: file).validated()
        XCTAssertEqual(fp32.encoderPrecision, .fp32)
        XCTAssertEqual(try fp32.overridden(by: ["HERD_PRECISION": "bf16"]).encoderPrecision, .bf16)
        var wrong = fp32
        wrong.precision = "fp16"
        XCTAssertThrowsError(try wrong.validated()) { error in
            XCTAssertTrue("\(error)".contains("must be one of \"fp32\", \"bf16\", \"bf16-onednn\", \"auto\"") && "\(error)".contains("fp16"), "\(error)")
        }
    }

    func testBadFilesSayWhereAndWhat() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = folder.path + "/config.toml"
        XCTAssertThrowsError(try HerdConfiguration.load(from: file)) { error in
            XCTAssertTrue("\(error)".contains("herd init"), "\(error)")
        }
        try "libraries = [\"/x\"\noutput = 3\n".write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try HerdConfiguration.load(from: file)) { error in
            XCTAssertTrue("\(error)".contains(file) && "\(error)".contains("line"), "\(error)")
        }
        try "libraries = [\"/x\"]\n".write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try HerdConfiguration.load(from: file)) { error in
            XCTAssertTrue("\(error)".contains("output"), "\(error)")
        }
    }

    func testValidationRejectsOverlapsAndMissingFolders() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let library = try folder.folder("Pictures")
        let nested = try folder.folder("Pictures/2024")
        func message(_ configuration: HerdConfiguration) -> String {
            do {
                _ = try configuration.validated()
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertTrue(message(HerdConfiguration(libraries: [folder.path + "/nope"], output: folder.path + "/out")).contains("does not exist"))
        XCTAssertTrue(message(HerdConfiguration(libraries: [library], output: library + "/herds")).contains("inside library"))
        XCTAssertTrue(message(HerdConfiguration(libraries: [library], output: folder.path)).contains("contains library"))
        XCTAssertTrue(message(HerdConfiguration(libraries: [library, nested], output: folder.path + "/out")).contains("inside library"))
        // A symlink to the library is the library: the output below it is still refused.
        let link = folder.path + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: library)
        XCTAssertTrue(message(HerdConfiguration(libraries: [library], output: link + "/herds")).contains("inside library"))
        let valid = try HerdConfiguration(libraries: [link, library + "/./"], output: "\(folder.path)/out").validated()
        XCTAssertEqual(valid.libraries, [library], "canonical and deduplicated")
        XCTAssertEqual(valid.output, folder.path + "/out")
    }
}
