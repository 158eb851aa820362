import Foundation

/// Deterministic, locale-independent number formatting shared by the
/// comparison reports (tables and plots).
enum ReportFormat {
    /// A metric value for people: accuracy as a percentage with two decimals,
    /// other metrics with four significant digits.
    static func metric(_ value: Double, metric: String) -> String {
        guard value.isFinite else { return "n/a" }
        if metric == "accuracy" { return String(format: "%.2f", value * 100) }
        return String(format: "%#.4g", value)
    }

    /// A signed metric difference (`+1.23`, `-0.004512`).
    static func signedMetric(_ value: Double, metric: String) -> String {
        let s = self.metric(value, metric: metric)
        return value >= 0 && value.isFinite ? "+" + s : s
    }

    /// The metric's column title, such as `Accuracy (%)` or `MSE`.
    static func metricTitle(_ metric: String) -> String {
        switch metric {
        case "accuracy": return "Accuracy (%)"
        case "mse": return "MSE"
        default: return metric
        }
    }

    /// Seconds as `12.3 s`, `4 min 05 s` or `2 h 03 min`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "n/a" }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let total = Int(seconds.rounded())
        if total < 3600 { return String(format: "%d min %02d s", total / 60, total % 60) }
        return String(format: "%d h %02d min", total / 3600, (total % 3600) / 60)
    }

    /// Bytes as `85 MiB` or `1.25 GiB`.
    static func memory(_ bytes: Int) -> String {
        guard bytes > 0 else { return "n/a" }
        let mib = Double(bytes) / 1_048_576
        if mib < 1024 { return String(format: "%.0f MiB", mib) }
        return String(format: "%.2f GiB", mib / 1024)
    }

    /// A number for machine-readable files: the shortest text that reads back
    /// to the same Double; empty for nil or non-finite values.
    static func exact(_ value: Double?) -> String {
        guard let v = value, v.isFinite else { return "" }
        return "\(v)"
    }

    /// A tick label: no more decimals than the tick step needs.
    static func tick(_ value: Double, step: Double) -> String {
        let decimals = max(0, min(10, Int((-Foundation.log10(step)).rounded(.up))))
        let v = abs(value) < step * 1e-9 ? 0 : value
        return String(format: "%.\(decimals)f", v)
    }
}
