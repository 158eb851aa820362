import MetaLearning
import DatasetImport
import Synchronization
import Testing

/// The progress bar's text and its two output styles.
@Suite struct ProgressBarTests {
    @Test func rendersBarPercentRateAndETA() {
        let line = ProgressBar.render(completed: 14500, total: 32460, elapsed: 14500.0 / 1200, barWidth: 10)
        #expect(line == "[####......]  44% 14500/32460 1200 img/s ETA 15s")
        #expect(ProgressBar.render(completed: 32460, total: 32460, elapsed: 3.25, barWidth: 4, done: true)
                == "[####] 100% 32460/32460 9988 img/s in 3.2s")
        #expect(ProgressBar.render(completed: 0, total: 10, elapsed: 0, barWidth: 4) == "[....]   0% 0/10 0 img/s")
    }

    @Test func terminalStyleRedrawsInPlaceAndEndsTheLine() {
        let text = Mutex("")
        let bar = ProgressBar(label: "test", style: .terminal, barWidth: 4) { s in text.withLock { $0 += s } }
        bar.update(completed: 1, total: 4)
        bar.update(completed: 4, total: 4)
        bar.update(completed: 4, total: 4)  // ignored after completion
        bar.finish()
        let out = text.withLock { $0 }
        #expect(out.hasPrefix("\r\u{1B}[Ktest [#...]  25% 1/4"))
        #expect(out.contains("\r\u{1B}[Ktest [####] 100% 4/4"))
        #expect(out.hasSuffix("\n"))
        #expect(out.filter { $0 == "\n" }.count == 1)
    }

    @Test func lineStyleWritesOnlyPeriodicLinesAndTheEnd() {
        let text = Mutex("")
        let bar = ProgressBar(label: "log", style: .lines(interval: 3600), barWidth: 4) { s in text.withLock { $0 += s } }
        for i in 1...99 { bar.callback(ImportProgress(stage: "test", completed: i, total: 100)) }
        #expect(text.withLock { $0 }.isEmpty)
        bar.callback(ImportProgress(stage: "test", completed: 100, total: 100))
        let out = text.withLock { $0 }
        #expect(out.hasPrefix("log [####] 100% 100/100"))
        #expect(out.filter { $0 == "\n" }.count == 1 && !out.contains("\r"))

        // With a zero interval every update is due: one plain line each.
        let every = Mutex("")
        let chatty = ProgressBar(label: "log", style: .lines(interval: 0), barWidth: 4) { s in every.withLock { $0 += s } }
        for i in 1...3 { chatty.update(completed: i, total: 4) }
        let lines = every.withLock { $0 }.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.last?.hasPrefix("log [###.]  75% 3/4") == true)
    }
}
