import Foundation
import XCTest

/// Headless Chromium (Debian's `chromium` package), to open the overview pages as a user's browser does.
struct Chromium {
    let binary: String
    /// A private profile folder, so runs never share a lock or a cache.
    let profile: String

    /// The installed browser; skips the test, saying how to install it, where there is none.
    static func find() throws -> Chromium {
        for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            let profile = FileManager.default.temporaryDirectory.path + "/herd-chromium-\(UUID().uuidString.prefix(8))"
            return Chromium(binary: candidate, profile: profile)
        }
        throw XCTSkip("chromium is not installed: `HERD_SETUP_TEST_TOOLS=1 scripts/setup.sh` (or `apt-get install chromium`) installs it")
    }

    func remove() { try? FileManager.default.removeItem(atPath: profile) }

    /// The page's DOM after Chromium loaded and laid it out.
    func dom(_ file: String) throws -> String {
        try run(["--dump-dom", URL(fileURLWithPath: file).absoluteString])
    }

    /// Saves a screenshot of the page at `file` in a `width` × `height` window to `png`.
    func screenshot(_ file: String, to png: String, width: Int, height: Int) throws {
        _ = try run(["--screenshot=\(png)", "--window-size=\(width),\(height)", "--hide-scrollbars", URL(fileURLWithPath: file).absoluteString])
    }

    private func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile)",
                             "--allow-file-access-from-files"] + arguments
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("herd-chromium-out-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out) }
        let handle = try FileHandle(forWritingTo: out)
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            throw HarnessError(message: "chromium did not finish within 90 s: \(arguments)")
        }
        try handle.close()
        return String(decoding: try Data(contentsOf: out), as: UTF8.self)
    }
}

/// What a rendered page holds: elements by class, and every link and image source.
struct RenderedPage {
    let dom: String

    /// Elements whose opening tag carries `class="NAME"`.
    func count(tag: String, class name: String) -> Int {
        dom.components(separatedBy: "<\(tag) class=\"\(name)\"").count - 1
    }

    /// Values of every `href` and `src` attribute.
    var references: [String] {
        var out: [String] = []
        for attribute in ["href=\"", "src=\""] {
            var rest = Substring(dom)
            while let start = rest.range(of: attribute) {
                rest = rest[start.upperBound...]
                guard let end = rest.firstIndex(of: "\"") else { break }
                out.append(String(rest[..<end]))
                rest = rest[end...]
            }
        }
        return out
    }

    /// References (relative to the page at `file`, or file:// URLs) that do not name an existing file or folder.
    func unresolved(from file: String) -> [String] {
        let base = URL(fileURLWithPath: file)
        return references.filter { reference in
            guard let url = URL(string: reference.replacingOccurrences(of: "&amp;", with: "&"), relativeTo: base) else { return true }
            return !FileManager.default.fileExists(atPath: url.standardizedFileURL.path)
        }
    }
}
