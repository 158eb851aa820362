import Foundation

/// Writers of a ``ComparisonSummary`` as a Markdown table (for people and the
/// README), CSV (for spreadsheets) and JSON (everything, for scripts). The
/// output depends only on the result, so equal results give equal files.
public enum ResultsTable {
    /// A Markdown section: settings, then one table row per algorithm with the
    /// metric's mean ± 95% CI over seeds and episodes, the paired difference to
    /// the best algorithm, training time per seed and peak memory.
    public static func markdown(_ result: ComparisonSummary) -> String {
        let m = result.metric
        let confidence = Int(((result.rows.first?.estimate.confidence ?? 0.95) * 100).rounded())
        var out = ""
        let settings = result.settings.keys.sorted().map { "\($0): \(result.settings[$0]!)" }
        if !settings.isEmpty { out += "Settings: " + settings.joined(separator: "; ") + ".\n\n" }
        out += "| Algorithm | \(ReportFormat.metricTitle(m)) ± \(confidence)% CI | Δ to best (paired) "
            + "| Per-seed means | Train time / seed | Peak memory |\n"
        out += "|---|---:|---:|---|---:|---:|\n"
        for row in result.rows {
            var cells: [String] = []
            let name = row.algorithm == result.best ? "**\(row.algorithm)**" : row.algorithm
            cells.append(name)
            cells.append(interval(row.estimate, metric: m))
            if let d = row.differenceToBest {
                var cell = ReportFormat.signedMetric(d.mean, metric: m)
                if let h = d.halfWidth { cell += " ± " + ReportFormat.metric(h, metric: m) }
                cells.append(cell)
            } else {
                cells.append("best")
            }
            cells.append(row.perSeedMeans.map { ReportFormat.metric($0, metric: m) }.joined(separator: ", "))
            cells.append(ReportFormat.duration(row.trainingSeconds))
            cells.append(ReportFormat.memory(row.peakMemoryBytes))
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        let seedWord = result.seeds.count == 1 ? "seed" : "seeds"
        out += "\n\(result.episodes) test episodes × \(result.seeds.count) \(seedWord) "
            + "(\(result.seeds.map(String.init).joined(separator: ", "))). "
            + "± is the \(confidence)% confidence interval of the mean over seeds and episodes "
            + "(crossed random effects, Student t); Δ is the paired difference to the best algorithm "
            + "on the same episodes. \(result.higherIsBetter ? "Higher" : "Lower") is better.\n"
        return out
    }

    /// CSV with a header line; one line per algorithm. Numbers are written in
    /// full precision (metric as a fraction, not a percentage); per-seed means
    /// are separated by `;`.
    public static func csv(_ result: ComparisonSummary) -> String {
        var out = "algorithm,metric,mean,ci95_lower,ci95_upper,ci95_half_width,standard_error,"
            + "diff_to_best,diff_ci95_half_width,seeds,episodes,steps,train_seconds_per_seed,"
            + "eval_seconds_per_seed,peak_memory_bytes,per_seed_means\n"
        for row in result.rows {
            let e = row.estimate
            let fields: [String] = [
                quote(row.algorithm), quote(result.metric),
                ReportFormat.exact(e.mean), ReportFormat.exact(e.lower), ReportFormat.exact(e.upper),
                ReportFormat.exact(e.halfWidth), ReportFormat.exact(e.standardError),
                ReportFormat.exact(row.differenceToBest?.mean ?? 0),
                ReportFormat.exact(row.differenceToBest == nil ? 0 : row.differenceToBest?.halfWidth),
                "\(e.seeds)", "\(e.episodes)", "\(row.steps)",
                ReportFormat.exact(row.trainingSeconds), ReportFormat.exact(row.evaluationSeconds),
                "\(row.peakMemoryBytes)",
                row.perSeedMeans.map { ReportFormat.exact($0) }.joined(separator: ";"),
            ]
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    /// The whole result as pretty-printed JSON with sorted keys (NaN and
    /// infinities become `null`).
    public static func json(_ result: ComparisonSummary) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(result), as: UTF8.self) + "\n"
    }

    private static func interval(_ e: PooledEstimate, metric: String) -> String {
        let mean = ReportFormat.metric(e.mean, metric: metric)
        guard let h = e.halfWidth else { return mean }
        return mean + " ± " + ReportFormat.metric(h, metric: metric)
    }

    private static func quote(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
