import Daemon
import Foundation
import XCTest

final class WatcherTests: XCTestCase {
    func testDebouncerWaitsForQuietButNotForever() {
        let t0 = ContinuousClock.now
        var debouncer = Debouncer(quiet: .milliseconds(500), maximumDelay: .seconds(2))
        debouncer.add(["/a"], at: t0)
        XCTAssertEqual(debouncer.takeDue(at: t0 + .milliseconds(400)), [])
        debouncer.add(["/b"], at: t0 + .milliseconds(400))
        XCTAssertEqual(debouncer.takeDue(at: t0 + .milliseconds(800)), [], "the second event restarts the quiet period")
        XCTAssertEqual(debouncer.takeDue(at: t0 + .milliseconds(900)), ["/a", "/b"])
        XCTAssertEqual(debouncer.count, 0)
        // A file written continuously is still looked at after the maximum delay.
        for step in 0 ..< 30 { debouncer.add(["/busy"], at: t0 + .milliseconds(100 * step)) }
        XCTAssertEqual(debouncer.takeDue(at: t0 + .milliseconds(2900)), ["/busy"])
    }

    /// Collects events from a real inotify watcher until `predicate` holds or a generous deadline passes.
    private func collect(_ watcher: InotifyWatcher, until predicate: @escaping @Sendable (Set<FileEvent>) -> Bool) async -> Set<FileEvent> {
        let stream = watcher.source.events
        return await withTaskGroup(of: Set<FileEvent>?.self) { group in
            group.addTask {
                var seen = Set<FileEvent>()
                for await batch in stream {
                    seen.formUnion(batch)
                    if predicate(seen) { return seen }
                }
                return seen
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? []
        }
    }

    func testRealInotifyReportsWritesMovesDeletesAndNewFolders() async throws {
        let folder = try TemporaryFolder("herd-watch")
        defer { folder.remove() }
        let watcher = try InotifyWatcher()
        watcher.watch(folder.path)
        let file = folder.path + "/a.jpg"
        FileManager.default.createFile(atPath: file, contents: Data([1, 2, 3]))
        try FileManager.default.moveItem(atPath: file, toPath: folder.path + "/b.jpg")
        let sub = try folder.folder("new-folder")
        var events = await collect(watcher) { $0.contains(.changed(sub)) }
        XCTAssertTrue(events.isSuperset(of: [.changed(file), .changed(folder.path + "/b.jpg"), .changed(sub)]), "\(events)")

        // New folders are watched once the daemon asks, and their files then report.
        watcher.watch(sub)
        XCTAssertEqual(watcher.watchCount, 2)
        FileManager.default.createFile(atPath: sub + "/c.png", contents: Data([9]))
        try FileManager.default.removeItem(atPath: folder.path + "/b.jpg")
        events = await collect(watcher) { $0.contains(.changed(sub + "/c.png")) && $0.contains(.changed(folder.path + "/b.jpg")) }
        XCTAssertTrue(events.contains(.changed(sub + "/c.png")), "\(events)")

        watcher.unwatchAll(under: sub)
        XCTAssertEqual(watcher.watchCount, 1)
    }

    func testWatchLimitIsReportedOnceNamingTheSysctl() async throws {
        let folder = try TemporaryFolder("herd-watch")
        defer { folder.remove() }
        let watcher = try InotifyWatcher(watchLimit: 1)
        watcher.watch(try folder.folder("one"))
        watcher.watch(try folder.folder("two"))
        watcher.watch(try folder.folder("three"))
        let events = await collect(watcher) { !$0.isEmpty }
        XCTAssertEqual(events.count, 1)
        guard case .watchLimit(let message)? = events.first else { return XCTFail("\(events)") }
        XCTAssertTrue(message.contains("fs.inotify.max_user_watches"), message)
    }
}
