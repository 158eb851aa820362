import Foundation

/// Writes every report file of a comparison into its output folder:
/// `results.md`, `results.csv`, `results.json`, one `training-<metric>.svg`
/// per metric all runs logged, and `final-<metric>.svg`.
public enum ComparisonReport {
    /// Writes the reports (each atomically) and returns their paths in a fixed order.
    @discardableResult
    public static func write(_ result: ComparisonSummary, plan: ComparisonPlan) throws -> [String] {
        let dir = URL(fileURLWithPath: plan.outputDirectory)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var files: [(String, String)] = [
            (plan.markdownPath, ResultsTable.markdown(result)),
            (plan.csvPath, ResultsTable.csv(result)),
            (plan.jsonPath, try ResultsTable.json(result)),
        ]
        for metric in curveMetrics(result) {
            files.append((plan.outputDirectory + "/training-\(fileSafe(metric)).svg",
                          SVGPlot.trainingCurves(result, metric: metric)))
        }
        files.append((plan.outputDirectory + "/final-\(fileSafe(result.metric)).svg", SVGPlot.finalMetric(result)))
        for (path, text) in files {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        }
        return files.map(\.0)
    }

    /// The metrics logged (with at least one finite value) by every run, sorted.
    public static func curveMetrics(_ result: ComparisonSummary) -> [String] {
        let all = result.curves.values.flatMap { $0 }
        guard let first = all.first else { return [] }
        return first.columns.keys.sorted().filter { metric in
            all.allSatisfy { !$0.points(metric).isEmpty }
        }
    }

    private static func fileSafe(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
    }
}
