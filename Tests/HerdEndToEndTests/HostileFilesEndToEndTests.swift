import Foundation
import HerdTestSupport
import XCTest

/// Files a hostile (or just unlucky) library holds: libpng's crashers, every broken file of the shared robustness
/// data, formats herd does not decode, names that are not UTF-8, files the daemon may not read. Each is embedded or
/// failed with a reason, memory stays bounded, and nothing is skipped in silence.
final class HostileFilesEndToEndTests: XCTestCase {
    /// The 57-byte files of libpng's contrib/testpngs/crashers: a 1×1 PNG whose next chunk declares ~2 GB.
    static func pngCrasher(_ chunk: String) -> Data {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let ihdr: [UInt8] = Array("IHDR".utf8) + [0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]
        bytes += [0, 0, 0, 13] + ihdr + crc32(ihdr)
        bytes += [0x7F, 0xFF, 0xFF, 0xF0] + Array(chunk.utf8) + [UInt8](repeating: 0, count: 12)
        return Data(bytes)
    }

    static func crc32(_ bytes: [UInt8]) -> [UInt8] {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0 ..< 8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        crc ^= 0xFFFF_FFFF
        return [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
    }

    func testHostileLibraryEmbedsOrFailsEveryFileWithAReasonUnder400MB() throws {
        let herd = try HerdHarness(extraEnvironment: ["HERD_THREADS": "4"])
        defer { herd.remove() }
        let fm = FileManager.default
        // The whole shared set when it is beside the checkout, else the committed subset of it.
        let data = SharedData.full ?? HerdBinary.sharedData
        try fm.copyItem(atPath: data + "/robustness", toPath: herd.library + "/robustness")
        try fm.copyItem(atPath: data + "/formats", toPath: herd.library + "/formats")
        try fm.createDirectory(atPath: herd.library + "/crashers", withIntermediateDirectories: true)
        let chunks = ["iTXt", "zTXt", "tEXt", "sPLT", "sCAL", "pCAL", "iCCP", "eXIf", "bKGD", "cHRM", "gAMA", "hIST", "pHYs", "sRGB", "sTER", "tIME", "juNK", "IDAT"]
        for chunk in chunks { try Self.pngCrasher(chunk).write(to: URL(fileURLWithPath: herd.library + "/crashers/huge_\(chunk)_chunk.png")) }
        // Every file whose name promises a photo must be listed; the walk is done here independently of herd.
        var promised = Set<String>()
        let extensions: Set<String> = ["jpg", "jpeg", "png", "heic", "heif", "avif", "webp", "tif", "tiff", "gif"]
        for relative in fm.subpaths(atPath: herd.library) ?? [] where extensions.contains((relative as NSString).pathExtension.lowercased()) {
            if !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { promised.insert(herd.library + "/" + relative) }
        }
        try herd.initialise()
        let daemon = try herd.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        XCTAssertTrue(herd.waitUntil(timeout: 240) { try herd.count("files") >= promised.count && herd.count("pending") == 0 }, herd.daemonLog)
        let peak = HerdHarness.peakResidentKiB(of: daemon.processIdentifier) ?? -1
        let listed = try herd.files()
        let missing = promised.subtracting(listed.map(\.path))
        XCTAssertTrue(missing.isEmpty, "not catalogued: \(missing.sorted())")
        for file in listed {
            XCTAssertTrue(file.state == "done" || (file.state == "failed" && !(file.error ?? "").isEmpty), "\(file.path): \(file.state) \(file.error ?? "no reason")")
        }
        for chunk in chunks where chunk != "IDAT" {
            let crasher = listed.first { $0.path.hasSuffix("/huge_\(chunk)_chunk.png") }
            XCTAssertEqual(crasher?.state, "failed")
            XCTAssertTrue(crasher?.error?.contains("\(chunk) chunk declares") == true, crasher?.error ?? "not listed")
        }
        print("hostile library: \(listed.count) files, \(listed.filter { $0.state == "done" }.count) embedded, "
              + "\(listed.filter { $0.state == "failed" }.count) failed; daemon VmHWM \(peak / 1024) MiB")
        XCTAssertGreaterThan(peak, 0)
        XCTAssertLessThan(peak, 400 * 1024, "the daemon's peak resident memory (VmHWM) is \(peak / 1024) MiB")
        herd.stop(daemon)
    }

    func testNamesThatAreNotUTF8AreCataloguedShownAndLinked() throws {
        let herd = try HerdHarness()
        defer { herd.remove() }
        let photos = try HerdHarness.clothingPhotos()
        try herd.copy(Array(photos[0 ..< 5]), to: "2023")
        // `bad\xff\xfe.jpg` and Latin-1 `café.jpg`: bytes a UTF-8 String cannot hold.
        let names: [[UInt8]] = [Array("bad".utf8) + [0xFF, 0xFE] + Array(".jpg".utf8), Array("caf".utf8) + [0xE9] + Array(".jpg".utf8)]
        let contents = try [photos[10], photos[20]].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        for (name, data) in zip(names, contents) { try RawName.write(data, in: herd.library + "/2023", name: name) }
        try herd.initialise()
        let daemon = try herd.start(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        // Counted by raw names: Foundation's folder listing cannot hold a name that is not UTF-8.
        func linkCount() -> Int {
            RawName.entries(herd.output).filter { HerdHarness.isHerdFolder(String(decoding: $0, as: UTF8.self)) }.reduce(0) { sum, folder in
                sum + RawName.entries(herd.output + "/" + String(decoding: folder, as: UTF8.self)).filter { $0.first != UInt8(ascii: "_") }.count
            }
        }
        XCTAssertTrue(herd.waitUntil(timeout: 60) { try herd.count("embedded") == 7 && linkCount() == 7 }, herd.daemonLog)

        // Shown with replacement characters, with the exact bytes alongside.
        let result = try herd.run(["files", "--json"])
        let list = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let shown = Set(list.compactMap { $0["path"] as? String })
        XCTAssertTrue(shown.contains(herd.library + "/2023/bad\u{FFFD}.jpg"), "\(shown)")
        XCTAssertTrue(shown.contains(herd.library + "/2023/caf\u{FFFD}.jpg"), "\(shown)")
        let exact = Set(list.compactMap { ($0["pathBytes"] as? String).flatMap { Data(base64Encoded: $0) } })
        for name in names { XCTAssertTrue(exact.contains(Data(Array(herd.library.utf8) + Array("/2023/".utf8) + name)), "exact bytes listed") }
        let human = try herd.run(["files"])
        XCTAssertTrue(human.stdout.contains("bad\u{FFFD}.jpg"), human.stdout)

        // Each has a link with the same raw name, and opening the link opens the photo.
        for (name, data) in zip(names, contents) {
            let folders = RawName.entries(herd.output).filter { HerdHarness.isHerdFolder(String(decoding: $0, as: UTF8.self)) }
            let holding = folders.filter { RawName.entries(herd.output + "/" + String(decoding: $0, as: UTF8.self)).contains(name) }
            XCTAssertEqual(holding.count, 1, "one link named \(name)")
            guard let folder = holding.first else { continue }
            let link = Array(herd.output.utf8) + [UInt8(ascii: "/")] + folder + [UInt8(ascii: "/")] + name
            XCTAssertEqual(RawName.read(link), data, "the link opens the photo")
        }
        herd.stop(daemon)
    }

    func testFailedReadIsRetriedAfterAPermissionFixWhileRunningAndAfterARestart() throws {
        let herd = try HerdHarness()
        defer { herd.remove() }
        let photos = try HerdHarness.clothingPhotos()
        let files = try herd.copy(Array(photos[0 ..< 6]), to: "2023")
        let (running, stopped) = (files[0], files[1])
        for file in [running, stopped] { chmod(file, 0) }
        try herd.initialise()
        var daemon = try herd.startUnprivileged(["run"])
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        XCTAssertTrue(herd.waitUntil(timeout: 60) { try herd.count("embedded") == 4 && herd.count("failed") == 2 }, herd.daemonLog)
        let failed = try herd.run(["files", "--failed", "--json"])
        XCTAssertTrue(failed.stdout.contains("Permission denied"), failed.stdout)
        XCTAssertTrue(failed.stdout.contains("\"failure\" : \"unreadable\""), failed.stdout)

        // chmod while the daemon runs: retried at once.
        chmod(running, 0o644)
        XCTAssertTrue(herd.waitUntil(timeout: 20) { try herd.count("embedded") == 5 && herd.count("failed") == 1 }, herd.daemonLog)
        herd.stop(daemon)

        // chmod while it is stopped: the start's scan retries "could not read" failures.
        chmod(stopped, 0o644)
        daemon = try herd.startUnprivileged(["run"])
        XCTAssertTrue(herd.waitUntil(timeout: 30) { try herd.count("embedded") == 6 && herd.count("failed") == 0 }, herd.daemonLog)
        XCTAssertTrue(herd.waitUntil(timeout: 30) { herd.links().count == 6 }, herd.daemonLog)
        herd.stop(daemon)
    }
}
