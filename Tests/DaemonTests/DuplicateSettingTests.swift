import Daemon
import Foundation
import XCTest

final class DuplicateSettingTests: XCTestCase {
    /// `duplicate_threshold` from config.toml, its default, the environment override, and a clear error when bad.
    func testThresholdComesFromTheFileOrTheEnvironmentAndIsChecked() throws {
        let temp = try TemporaryFolder()
        defer { temp.remove() }
        let library = try temp.folder("lib")
        let path = temp.path + "/config.toml"
        try "libraries = [\"\(library)\"]\noutput = \"\(temp.path)/out\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try HerdConfiguration.load(from: path).duplicateThreshold, DuplicateRule.defaultThreshold)
        try "libraries = [\"\(library)\"]\noutput = \"\(temp.path)/out\"\nduplicate_threshold = 0.1\n".write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try HerdConfiguration.load(from: path)
        XCTAssertEqual(configuration.duplicateThreshold, 0.1)
        XCTAssertEqual(try configuration.overridden(by: ["HERD_DUPLICATE_THRESHOLD": "0.02"]).duplicateThreshold, 0.02)
        XCTAssertThrowsError(try configuration.overridden(by: ["HERD_DUPLICATE_THRESHOLD": "near"])) { error in
            XCTAssertTrue("\(error)".contains("HERD_DUPLICATE_THRESHOLD"), "\(error)")
        }
        var bad = configuration
        bad.duplicateThreshold = 3
        XCTAssertThrowsError(try bad.validated()) { error in
            XCTAssertTrue("\(error)".contains("duplicate_threshold"), "\(error)")
        }
        // It survives `herd init`'s round trip through the file.
        try configuration.write(to: path)
        XCTAssertEqual(try HerdConfiguration.load(from: path).duplicateThreshold, 0.1)
    }
}
