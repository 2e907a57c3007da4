import ArgumentParser
import Catalog
import Daemon
import Foundation

/// `herd files`: lists catalogued files.
struct FilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files", abstract: "List catalogued files, optionally only failed ones, by path or capture date.")

    @Flag(help: "Only files that could not be read, with the reason.")
    var failed = false

    @Option(help: "Only paths matching this glob (`*` crosses folders; a pattern not starting with / or * matches at any depth).")
    var path: String?

    @Option(name: .customLong("taken-after"), help: "Only photos taken on or after DATE (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS).")
    var takenAfter: String?

    @Option(name: .customLong("taken-before"), help: "Only photos taken before DATE.")
    var takenBefore: String?

    @Option(help: "At most this many files.")
    var limit: Int?

    @Flag(help: "Print as JSON.")
    var json = false

    @OptionGroup var paths: PathOptions

    func validate() throws {
        for date in [takenAfter, takenBefore].compactMap({ $0 }) where !Self.isDate(date) {
            throw ValidationError("`\(date)` is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS")
        }
    }

    func run() async throws {
        let catalog = try Catalog.openForReading(path: paths.resolved().catalog)
        var glob = path
        if let pattern = glob, !pattern.hasPrefix("/"), !pattern.hasPrefix("*") { glob = "*/" + pattern }
        let files = try catalog.files(
            matching: FileFilter(state: failed ? .failed : nil, pathGlob: glob, takenAfter: takenAfter, takenBefore: takenBefore, limit: limit))
        if json {
            try JSONOutput.print(files.map(FileReport.init))
            return
        }
        for file in files {
            let size = file.metadata.map { "\($0.width)×\($0.height)" } ?? "-"
            let taken = file.metadata?.takenAt ?? "-"
            var line = "\(file.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(size.padding(toLength: 11, withPad: " ", startingAt: 0)) \(taken.padding(toLength: 19, withPad: " ", startingAt: 0)) \(RawPath.display(file.stat.path))"
            if let error = file.error { line += "\n         \(error)" + (file.failure.map { " [\($0.rawValue)]" } ?? "") }
            print(line)
        }
        if files.isEmpty { FileHandle.standardError.write(Data("no matching files\n".utf8)) }
    }

    static func isDate(_ text: String) -> Bool {
        let pattern = #"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$"#
        return text.range(of: pattern, options: .regularExpression) != nil
    }
}

/// One file as `herd files --json` prints it. `path` is for reading (a name that is not UTF-8 shows U+FFFD);
/// `pathBytes` (base64) is the exact name, given only when the two differ.
struct FileReport: Encodable {
    var path: String
    var pathBytes: String?
    var state: String
    var error: String?
    var failure: String?
    var contentHash: String?
    var format: String?
    var width: Int?
    var height: Int?
    var orientation: Int?
    var takenAt: String?
    var camera: String?
    var size: Int64

    init(_ file: CatalogFile) {
        path = RawPath.display(file.stat.path)
        pathBytes = RawPath.needsEscaping(file.stat.path) ? Data(RawPath.bytes(file.stat.path)).base64EncodedString() : nil
        state = file.state.rawValue
        error = file.error
        failure = file.failure?.rawValue
        contentHash = file.contentHash.map(ContentHash.hex)
        format = file.metadata?.format
        width = file.metadata?.width
        height = file.metadata?.height
        orientation = file.metadata?.orientation
        takenAt = file.metadata?.takenAt
        camera = file.metadata?.camera
        size = file.stat.size
    }
}
