import Foundation
import Tensor
import XCTest

final class AtomicFileTests: XCTestCase {
    func testReplacesTheFileAndLeavesNoTemporary() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herd-atomic-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/file.bin"
        try AtomicFile.write([UInt8](repeating: 1, count: 10), to: path)
        try AtomicFile.write(Data([2, 3]), to: path)
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data([2, 3]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["file.bin"])
    }

    func testMissingFolderNamesTheFileAndErrno() {
        let path = "/nonexistent-herd-folder/file.bin"
        XCTAssertThrowsError(try AtomicFile.write([UInt8]([1]), to: path)) { error in
            let error = error as? TensorFileError
            XCTAssertEqual(error?.path, path + ".tmp-\(getpid())")
            XCTAssertEqual(error?.errno, ENOENT)
            XCTAssertTrue(error?.message.hasPrefix("open failed") ?? false, "\(String(describing: error))")
        }
    }
}
