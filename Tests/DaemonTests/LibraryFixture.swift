import Catalog
import Daemon
import Foundation
import Logging

/// A temporary photo library made of real files from `Tests/Data`, with its catalogue.
struct LibraryFixture {
    let folder: TemporaryFolder
    let library: String
    let output: String
    let catalogPath: String

    init() throws {
        folder = try TemporaryFolder("herd-library")
        library = try folder.folder("Pictures")
        output = folder.path + "/herds"
        catalogPath = folder.path + "/data/catalog.sqlite"
    }

    var layout: LibraryLayout { LibraryLayout(roots: [library], output: output) }

    /// Real photos from the clothing set: `count` files from `category`, in the order the folder lists them.
    static func photos(_ category: String, count: Int) throws -> [String] {
        let source = HerdTestPaths.sharedData + "/photos/clothing/" + category
        return try FileManager.default.contentsOfDirectory(atPath: source).sorted().prefix(count).map { source + "/" + $0 }
    }

    /// Copies `files` into `relative` under the library; returns the new paths.
    @discardableResult
    func copy(_ files: [String], to relative: String) throws -> [String] {
        let destination = try folder.folder("Pictures/" + relative)
        return try files.map { file in
            let target = destination + "/" + (file as NSString).lastPathComponent
            try FileManager.default.copyItem(atPath: file, toPath: target)
            return target
        }
    }

    func remove() { folder.remove() }
}

extension Logger {
    /// A logger for tests: warnings and worse on stderr.
    static var test: Logger {
        var logger = Logger(label: "herd.test")
        logger.logLevel = .warning
        return logger
    }
}
