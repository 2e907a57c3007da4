import Foundation

/// A download progress bar on stderr, drawn only when stderr is a terminal.
/// `@unchecked Sendable`: updates come from one delegate queue; `lock` guards the redraw state.
final class ProgressBar: @unchecked Sendable {
    let label: String
    let enabled: Bool
    private let lock = NSLock()
    private var lastDraw = Date.distantPast

    init(label: String) {
        self.label = label
        enabled = isatty(STDERR_FILENO) != 0
    }

    /// Redraws with `done` of `total` bytes (at most 10 times a second).
    func update(_ done: Int64, _ total: Int64) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard done >= total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let filled = Int(fraction * 30)
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: 30 - filled)
        let line = "\r\(label) [\(bar)] " + String(format: "%3d%% %.1f/%.1f MB", Int(fraction * 100), Double(done) / 1e6, Double(total) / 1e6)
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Ends the bar's line.
    func finish() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
