import MetaLearning
import Foundation
import Synchronization

/// A text progress bar for long imports, written to standard error:
///
/// ```
/// omniglot [#############.................]  45% 14500/32460 1200 img/s ETA 12s
/// ```
///
/// On a terminal (`isatty`) the line is redrawn in place at most ten times a
/// second; otherwise (a log file, CI) a plain line is written every few
/// seconds and at the end. Thread-safe: `update` may be called from any
/// thread, and `callback` adapts it to `ImportProgress`.
public final class ProgressBar: Sendable {
    /// How the bar is drawn.
    public enum Style: Sendable {
        /// Redraw one line in place (`\r`), for a terminal.
        case terminal
        /// A new line every `interval` seconds and at the end, for logs.
        case lines(interval: Double)
    }

    private struct State {
        var start: ContinuousClock.Instant?
        var lastDraw: ContinuousClock.Instant?
        var completed = 0
        var total = 0
        var finished = false
    }

    private let label: String
    private let unit: String
    private let style: Style
    private let barWidth: Int
    private let output: @Sendable (String) -> Void
    private let state = Mutex(State())

    /// A progress bar.
    /// - Parameters:
    ///   - label: printed before the bar (such as `"omniglot"`).
    ///   - unit: what is counted, for the rate (`"img"` gives `img/s`).
    ///   - style: nil picks `.terminal` when standard error is a terminal, else `.lines(interval: 5)`.
    ///   - barWidth: characters between the brackets.
    ///   - output: where text goes; standard error by default.
    public init(label: String = "", unit: String = "img", style: Style? = nil, barWidth: Int = 30,
                output: @escaping @Sendable (String) -> Void = ProgressBar.writeToStandardError) {
        self.label = label
        self.unit = unit
        self.style = style ?? (isatty(STDERR_FILENO) != 0 ? .terminal : .lines(interval: 5))
        self.barWidth = max(1, barWidth)
        self.output = output
    }

    /// Writes `text` to standard error, unbuffered.
    public static func writeToStandardError(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return }
            offset += written
        }
        bytes.removeAll()
    }

    /// `update` as an `ImportProgress` callback.
    public var callback: ImportProgress.Handler { { [self] progress in update(completed: progress.completed, total: progress.total) } }

    /// Records progress and redraws if due. Calls after `finish()` are ignored;
    /// reaching `completed == total` finishes the bar.
    public func update(completed: Int, total: Int) {
        let now = ContinuousClock.now
        let text: String? = state.withLock { s in
            guard !s.finished else { return nil }
            if s.start == nil { s.start = now }
            s.completed = max(s.completed, completed)
            s.total = total
            let done = total > 0 && s.completed >= total
            let due: Bool
            switch style {
            case .terminal: due = s.lastDraw.map { now - $0 >= .milliseconds(100) } ?? true
            case let .lines(interval): due = now - (s.lastDraw ?? s.start!) >= .seconds(interval)
            }
            guard due || done else { return nil }
            s.lastDraw = now
            if done { s.finished = true }
            return line(s, now: now, done: done)
        }
        if let text { output(text) }
    }

    /// Draws the final state (if not drawn yet) and ends the line.
    public func finish() {
        let now = ContinuousClock.now
        let text: String? = state.withLock { s in
            guard !s.finished else { return nil }
            s.finished = true
            if s.start == nil { s.start = now }
            return line(s, now: now, done: true)
        }
        if let text { output(text) }
    }

    private func line(_ s: State, now: ContinuousClock.Instant, done: Bool) -> String {
        let elapsed = s.start.map { Self.seconds(now - $0) } ?? 0
        let body = Self.render(completed: s.completed, total: s.total, elapsed: elapsed, barWidth: barWidth,
                               unit: unit, done: done)
        let text = label.isEmpty ? body : "\(label) \(body)"
        switch style {
        case .terminal: return "\r\u{1B}[K" + text + (done ? "\n" : "")
        case .lines: return text + "\n"
        }
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// One progress line without label or control characters, such as
    /// `[#############.................]  45% 14500/32460 1200 img/s ETA 12s`,
    /// or, when `done`, `... 32460/32460 9800 img/s in 3.3s`.
    public static func render(completed: Int, total: Int, elapsed: Double, barWidth: Int = 30, unit: String = "img",
                              done: Bool = false) -> String {
        let fraction = total > 0 ? min(1, max(0, Double(completed) / Double(total))) : 1
        let filled = min(barWidth, Int((fraction * Double(barWidth)).rounded(.down)))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled)
        let percent = Int((fraction * 100).rounded(.down))
        let percentText = String(repeating: " ", count: max(0, 3 - String(percent).count)) + "\(percent)%"
        let rate = elapsed > 0 ? Double(completed) / elapsed : 0
        var text = "[\(bar)] \(percentText) \(completed)/\(total) \(Int(rate.rounded())) \(unit)/s"
        if done {
            text += " in " + String(format: "%.1fs", elapsed)
        } else if rate > 0 {
            let eta = Double(max(0, total - completed)) / rate
            text += " ETA \(Int(eta.rounded(.up)))s"
        }
        return text
    }
}
