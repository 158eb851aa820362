import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import MetaLearning
import Testing

@Suite struct ComparisonReportTests {
    @Test func planLaysOutOneFolderPerRun() throws {
        let plan = try ComparisonPlan(algorithms: ["maml", "reptile"], seeds: [1, 2], outputDirectory: "/out/cmp/")
        #expect(plan.runs.map(\.name) == ["maml-seed1", "maml-seed2", "reptile-seed1", "reptile-seed2"])
        #expect(plan.runs[1].checkpointPath == "/out/cmp/runs/maml-seed2/checkpoint.h5")
        #expect(plan.runs[1].recordPath == "/out/cmp/runs/maml-seed2/run.json")
        #expect(plan.markdownPath == "/out/cmp/results.md")
    }

    @Test func badPlansAreRefused() {
        #expect(throws: ComparisonError.invalidPlan("no algorithms given")) {
            try ComparisonPlan(algorithms: [], seeds: [1], outputDirectory: "o")
        }
        #expect(throws: ComparisonError.invalidPlan("algorithm 'maml' is listed twice")) {
            try ComparisonPlan(algorithms: ["maml", "maml"], seeds: [1], outputDirectory: "o")
        }
        #expect(throws: ComparisonError.self) { try ComparisonPlan(algorithms: ["../x"], seeds: [1], outputDirectory: "o") }
        #expect(throws: ComparisonError.self) { try ComparisonPlan(algorithms: ["a"], seeds: [], outputDirectory: "o") }
    }

    @Test func resultPoolsSeedsAndFindsTheBest() throws {
        let (_, result) = try ComparisonFixtures.result()
        #expect(result.best == "protonet")
        #expect(result.rows.map(\.algorithm) == ["maml", "protonet", "reptile"])
        let maml = result.rows[0]
        #expect(maml.estimate.seeds == 2 && maml.estimate.episodes == 20)
        #expect(maml.perSeedMeans.count == 2)
        #expect(abs(maml.trainingSeconds - 18.75) < 1e-12)   // mean of 12.5 and 25
        #expect(maml.peakMemoryBytes == 82 * 1_048_576)      // max over seeds
        #expect(result.rows[1].differenceToBest == nil)
        #expect(maml.differenceToBest!.mean < 0)
    }

    @Test func resultRefusesUnfinishedOrMismatchedRuns() throws {
        let plan = try ComparisonPlan(algorithms: ["a", "b"], seeds: [1], outputDirectory: "/tmp/x")
        var unfinished = ComparisonFixtures.record("b", seed: 1, level: 0.5)
        unfinished.status = .trained
        #expect(throws: ComparisonError.self) {
            try ComparisonSummary(plan: plan, records: [ComparisonFixtures.record("a", seed: 1, level: 0.5), unfinished],
                                 settings: [:])
        }
        #expect(throws: ComparisonError.self) {
            try ComparisonSummary(plan: plan, records: [ComparisonFixtures.record("a", seed: 1, level: 0.5),
                                                       ComparisonFixtures.record("b", seed: 1, level: 0.5, episodes: 7)],
                                 settings: [:])
        }
        #expect(throws: ComparisonError.self) {
            try ComparisonSummary(plan: plan, records: [ComparisonFixtures.record("a", seed: 1, level: 0.5)], settings: [:])
        }
    }

    @Test func markdownTableHasOneRowPerAlgorithm() throws {
        let (_, result) = try ComparisonFixtures.result()
        let md = ResultsTable.markdown(result)
        let lines = md.split(separator: "\n").filter { $0.hasPrefix("|") }
        #expect(lines.count == 5)   // header, separator, 3 rows
        #expect(lines[0].contains("Accuracy (%) ± 95% CI"))
        #expect(lines[3].contains("**protonet**") && lines[3].contains("| best |"))
        let e = result.rows[0].estimate
        #expect(lines[2].contains(String(format: "%.2f ± %.2f", e.mean * 100, e.halfWidth! * 100)))
        #expect(md.contains("Settings: dataset: omniglot.h5; shots: 1; ways: 5."))
        #expect(md.contains("20 test episodes × 2 seeds (1, 2)"))
        #expect(ResultsTable.markdown(result) == md)
    }

    @Test func csvAndJsonReadBack() throws {
        let (_, result) = try ComparisonFixtures.result()
        let csv = ResultsTable.csv(result)
        let lines = csv.split(separator: "\n")
        #expect(lines.count == 4)
        let header = lines[0].split(separator: ",").map(String.init)
        let first = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(header.count == first.count)
        #expect(first[0] == "maml" && first[1] == "accuracy")
        #expect(Double(first[header.firstIndex(of: "mean")!]) == result.rows[0].estimate.mean)
        #expect(first[header.firstIndex(of: "per_seed_means")!].split(separator: ";").count == 2)

        let json = try ResultsTable.json(result)
        let decoded = try JSONDecoder().decode(ComparisonSummary.self, from: Data(json.utf8))
        #expect(decoded.rows == result.rows)
        #expect(decoded.best == "protonet")
        // NaN in a training curve is written as null and read back as NaN.
        #expect(json.contains("null"))
        #expect(decoded.curves["maml"]![0].columns["accuracy"]![1].isNaN)
        #expect(try ResultsTable.json(result) == json)
    }

    @Test func svgPlotsAreWellFormedXML() throws {
        let (_, result) = try ComparisonFixtures.result(seeds: [1, 2, 3])
        let curves = SVGPlot.trainingCurves(result, metric: "loss")
        let final = SVGPlot.finalMetric(result)
        for svg in [curves, final] {
            let doc = try XMLDocument(data: Data(svg.utf8))
            #expect(doc.rootElement()?.name == "svg")
        }
        let doc = try XMLDocument(data: Data(curves.utf8))
        let polylines = try doc.nodes(forXPath: "//*[local-name()='polyline']")
        #expect(polylines.count == 12)    // 3 algorithms x (3 faint seeds + 1 mean)
        let legend = try doc.nodes(forXPath: "//*[local-name()='text']").compactMap { $0.stringValue }
        #expect(legend.contains("maml") && legend.contains("protonet") && legend.contains("reptile"))
        #expect(legend.contains("meta-training step"))
        let finalDoc = try XMLDocument(data: Data(final.utf8))
        #expect(try finalDoc.nodes(forXPath: "//*[local-name()='circle']").count == 3)
        // Error bar: one vertical line and two caps per algorithm (plus grid and tick lines).
        let lines = try finalDoc.nodes(forXPath: "//*[local-name()='line']")
        #expect(lines.count >= 9)
    }

    @Test func svgEscapesText() throws {
        let svg = SVGPlot.lineChart(title: "a < b & \"c\"", xLabel: "x", yLabel: "y",
                                    series: [.init(name: "<alg>", points: [(0, 1), (1, 2)], colorIndex: 0)])
        let doc = try XMLDocument(data: Data(svg.utf8))
        let texts = try doc.nodes(forXPath: "//*[local-name()='text']").compactMap { $0.stringValue }
        #expect(texts.contains("a < b & \"c\""))
        #expect(texts.contains("<alg>"))
    }

    @Test func reportWritesEveryFile() throws {
        let dir = try ComparisonFixtures.temporaryDirectory("report")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (_, result) = try ComparisonFixtures.result()
        let plan = try ComparisonPlan(algorithms: ["maml", "protonet", "reptile"], seeds: [1, 2], outputDirectory: dir)
        let files = try ComparisonReport.write(result, plan: plan)
        #expect(files.map { URL(fileURLWithPath: $0).lastPathComponent }
            == ["results.md", "results.csv", "results.json", "training-accuracy.svg", "training-loss.svg",
                "final-accuracy.svg"])
        for f in files { #expect(FileManager.default.fileExists(atPath: f)) }
    }
}
