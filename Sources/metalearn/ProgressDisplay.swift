import Foundation

/// Progress of long work (training steps, evaluation episodes) on standard
/// error: on a terminal one line redrawn in place at most ten times a second,
/// with a bar, rate and ETA; otherwise (logs, CI, pipes) a plain line every
/// `interval` seconds and at the end. `--quiet` turns it off.
///
/// ```
/// maml-seed1 [############..................]  40% 400/1000 11.8 step/s ETA 51s loss 0.912 accuracy 64.1%
/// ```
final class ProgressDisplay {
    /// How lines are drawn.
    enum Style: Equatable {
        case terminal
        case lines(interval: Double)
        case off
    }

    private let label: String
    private let unit: String
    private let total: Int
    private let style: Style
    private let write: (String) -> Void
    private let start = ContinuousClock.now
    private let firstCompleted: Int
    private var lastDraw: ContinuousClock.Instant?
    private var completed: Int
    private var extras: [(name: String, sum: Double, count: Int)] = []
    private var finished = false

    /// A display for work from `completed` to `total` units.
    init(label: String, unit: String, total: Int, completed: Int = 0, style: Style,
         write: @escaping (String) -> Void = { Console.writeErrorRaw($0) }) {
        self.label = label
        self.unit = unit
        self.total = total
        self.style = style
        self.write = write
        self.completed = completed
        self.firstCompleted = completed
    }

    /// The style for this process: off when quiet, in place on a terminal, else lines every 5 s.
    static func style(quiet: Bool) -> Style {
        if quiet { return .off }
        return Console.standardErrorIsTerminal ? .terminal : .lines(interval: 5)
    }

    /// Records progress and values to show averaged since the last line (such as the loss).
    func update(completed: Int, values: [(String, Double)] = []) {
        guard !finished, style != .off else { return }
        self.completed = completed
        for (name, v) in values where v.isFinite {
            if let i = extras.firstIndex(where: { $0.name == name }) {
                extras[i].sum += v
                extras[i].count += 1
            } else {
                extras.append((name, v, 1))
            }
        }
        let now = ContinuousClock.now
        let due: Bool
        switch style {
        case .terminal: due = lastDraw.map { now - $0 >= .milliseconds(100) } ?? true
        case .lines(let interval): due = now - (lastDraw ?? start) >= .milliseconds(Int64(interval * 1000))
        case .off: due = false
        }
        if due { draw(now: now, done: false) }
    }

    /// Draws the final line (if anything was shown) and ends it.
    func finish() {
        guard !finished, style != .off else { return }
        draw(now: ContinuousClock.now, done: true)
        finished = true
    }

    private func draw(now: ContinuousClock.Instant, done: Bool) {
        lastDraw = now
        let d = now - start
        let elapsed = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        var text = label.isEmpty ? "" : label + " "
        text += Self.render(completed: completed, total: total, doneThisSession: completed - firstCompleted,
                            elapsed: elapsed, unit: unit, done: done)
        for e in extras {
            text += " \(e.name) " + Self.format(e.sum / Double(e.count), name: e.name)
        }
        extras.removeAll()
        switch style {
        case .terminal: write("\r\u{1B}[K" + text + (done ? "\n" : ""))
        case .lines: write(text + "\n")
        case .off: break
        }
    }

    /// One progress text: `[#####.....]  50% 500/1000 12.5 step/s ETA 40s`
    /// (`in 1m20s` instead of the ETA when done). The rate counts only the
    /// units done in this session, so a resumed run shows its true speed.
    static func render(completed: Int, total: Int, doneThisSession: Int, elapsed: Double, unit: String,
                       done: Bool, barWidth: Int = 30) -> String {
        let fraction = total > 0 ? min(1, max(0, Double(completed) / Double(total))) : 1
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled)
        let percent = String(format: "%3d%%", Int((fraction * 100).rounded(.down)))
        let rate = elapsed > 0 ? Double(doneThisSession) / elapsed : 0
        var text = "[\(bar)] \(percent) \(completed)/\(total) " + String(format: rate < 10 ? "%.2f" : "%.1f", rate)
            + " \(unit)/s"
        if done {
            text += " in " + (elapsed < 60 ? String(format: "%.1fs", elapsed) : duration(elapsed))
        } else if rate > 0 {
            text += " ETA " + duration(Double(max(0, total - completed)) / rate)
        }
        return text
    }

    /// `42s`, `3m05s`, `1h02m`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }

    private static func format(_ value: Double, name: String) -> String {
        name == "accuracy" ? String(format: "%.1f%%", value * 100) : String(format: "%.4g", value)
    }
}
