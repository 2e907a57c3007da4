import Foundation

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
/// `@unchecked Sendable`: updates may come from a delegate queue; `lock` guards the redraw state.
final class ProgressBar: @unchecked Sendable {
    let label: String
    let enabled: Bool
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(label: String, enabled: Bool = true) {
        self.label = label
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
    }

    /// Redraws with `done` of `total` bytes.
    func update(_ done: Int64, _ total: Int64) {
        draw(done: Double(done), total: Double(total),
             detail: String(format: "%.1f/%.1f MB", Double(done) / 1e6, Double(total) / 1e6))
    }

    /// Redraws with `done` of `total` items.
    func show(_ done: Int, of total: Int) {
        draw(done: Double(done), total: Double(total), detail: "\(done)/\(total)")
    }

    /// At most 10 redraws a second, and always the last one.
    private func draw(done: Double, total: Double, detail: String) {
        guard enabled, total > 0 else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard done >= total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        let fraction = min(1, done / total)
        let filled = Int(fraction * 30)
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: 30 - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(Int(fraction * 100))% \(detail)".utf8))
        drawn = true
    }

    /// Ends the bar's line.
    func finish() {
        lock.lock(); defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
