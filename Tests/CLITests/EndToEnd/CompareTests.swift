import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `metalearn compare`, end to end: two algorithms x two seeds on a tiny image dataset.
@Suite struct CompareTests {
    @Test func compareWritesEveryReportAndSkipsFinishedRunsWhenRunAgain() throws {
        let runner = try CLIRunner(tag: "compare")
        defer { runner.cleanUp() }
        try E2EFixtures.makeDatasetAndEpisodes(runner)
        let arguments = ["compare", "--algorithms", "\(E2EFixtures.algorithmA),\(E2EFixtures.algorithmB)",
                         "--dataset", "tiny.h5", "--ways", "3", "--shots", "1", "--queries", "2", "--seeds", "2",
                         "--steps", "3", "--meta-batch", "2", "--eval-count", "10", "--output", "results"]
            + E2EFixtures.fastOptions
        let first = try runner.run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        let table = first.stdout.split(separator: "\n").filter { $0.hasPrefix("|") }
        #expect(table.count == 4)   // header, separator, two algorithms
        #expect(table[0].contains("Accuracy (%) ± 95% CI"))

        let files = ["results.md", "results.csv", "results.json", "training-loss.svg", "final-accuracy.svg",
                     "episodes.h5"]
            + ["\(E2EFixtures.algorithmA)-seed1", "\(E2EFixtures.algorithmA)-seed2", "\(E2EFixtures.algorithmB)-seed1",
               "\(E2EFixtures.algorithmB)-seed2"].flatMap { ["runs/\($0)/checkpoint.h5", "runs/\($0)/run.json"] }
        for file in files {
            #expect(FileManager.default.fileExists(atPath: runner.path("results/" + file)), "missing \(file)")
        }
        let markdown = try String(contentsOfFile: runner.path("results/results.md"), encoding: .utf8)
        #expect(first.stdout.hasPrefix(markdown.trimmingCharacters(in: .newlines)))
        let json = try CLIRunner.json(try String(contentsOfFile: runner.path("results/results.json"), encoding: .utf8))
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.map { $0["algorithm"] as? String } == [E2EFixtures.algorithmA, E2EFixtures.algorithmB])
        #expect(json["episodes"] as? Int == 10)
        let csv = try String(contentsOfFile: runner.path("results/results.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 3)
        for svg in ["training-loss.svg", "final-accuracy.svg"] {
            let doc = try XMLDocument(contentsOf: URL(fileURLWithPath: runner.path("results/" + svg)))
            #expect(doc.rootElement()?.name == "svg")
        }
        let record = try CLIRunner.json(try String(contentsOfFile: runner.path(
            "results/runs/\(E2EFixtures.algorithmB)-seed2/run.json"), encoding: .utf8))
        #expect(record["status"] as? String == "finished")
        #expect((record["episodeResults"] as? [Double])?.count == 10)
        #expect((record["peakMemoryBytes"] as? Int ?? 0) > 0)

        // Run again: every run is found finished and skipped; the same table comes out.
        let checkpoint = runner.path("results/runs/\(E2EFixtures.algorithmA)-seed1/checkpoint.h5")
        let modified = try FileManager.default.attributesOfItem(atPath: checkpoint)[.modificationDate] as? Date
        let second = try runner.run(arguments)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.components(separatedBy: "already finished, skipped").count - 1 == 4)
        #expect(!second.stderr.contains(": training"))
        #expect(try FileManager.default.attributesOfItem(atPath: checkpoint)[.modificationDate] as? Date == modified)
        #expect(second.stdout == first.stdout)

        // Different settings in the same folder are refused instead of mixed in.
        var changed = arguments
        changed[changed.firstIndex(of: "--steps")! + 1] = "5"
        let refused = try runner.run(changed)
        #expect(refused.status == 1 && refused.errorLines.count == 1)
        #expect(refused.stderr.contains("steps=3"))
    }
}
