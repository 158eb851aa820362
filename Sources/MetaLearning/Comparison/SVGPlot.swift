import Foundation

/// Hand-written SVG charts for comparison reports: training curves (one line
/// per algorithm, its seeds drawn faintly behind) and the final metric of
/// each algorithm with its confidence-interval error bar. The output is a
/// self-contained, valid SVG 1.1 document that depends only on the input.
public enum SVGPlot {
    /// One line of a line chart.
    public struct Series: Sendable, Equatable {
        /// The legend label; faint series are left out of the legend.
        public var name: String
        /// `(x, y)` points, drawn in order; non-finite points are skipped.
        public var points: [(x: Double, y: Double)]
        /// Index into the colour palette.
        public var colorIndex: Int
        /// A thin, translucent line (individual seeds behind their mean).
        public var faint: Bool

        public init(name: String, points: [(x: Double, y: Double)], colorIndex: Int, faint: Bool = false) {
            self.name = name
            self.points = points
            self.colorIndex = colorIndex
            self.faint = faint
        }

        public static func == (a: Series, b: Series) -> Bool {
            a.name == b.name && a.colorIndex == b.colorIndex && a.faint == b.faint
                && a.points.count == b.points.count
                && zip(a.points, b.points).allSatisfy { $0.x == $1.x && $0.y == $1.y }
        }
    }

    /// One point with an error bar in an interval chart.
    public struct Interval: Sendable, Equatable {
        public var label: String
        public var value: Double
        public var lower: Double
        public var upper: Double

        public init(label: String, value: Double, lower: Double, upper: Double) {
            self.label = label
            self.value = value
            self.lower = lower
            self.upper = upper
        }
    }

    /// The colour palette (Tableau 10), cycled by `colorIndex`.
    public static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                 "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    static let width = 760.0, height = 440.0
    static let left = 72.0, right = 170.0, top = 44.0, bottom = 56.0

    /// A line chart with axes, ticks, grid lines, axis labels, a title and a
    /// legend of the non-faint series.
    public static func lineChart(title: String, xLabel: String, yLabel: String, series: [Series]) -> String {
        let finite = series.flatMap { $0.points.filter { $0.x.isFinite && $0.y.isFinite } }
        let xs = finite.map(\.x), ys = finite.map(\.y)
        let xAxis = AxisScale(minimum: xs.min() ?? 0, maximum: xs.max() ?? 1,
                              pixelStart: left, pixelEnd: width - right)
        let yAxis = AxisScale(minimum: ys.min() ?? 0, maximum: ys.max() ?? 1,
                              pixelStart: height - bottom, pixelEnd: top)
        var svg = header(title: title)
        svg += axes(x: xAxis, y: yAxis, xLabel: xLabel, yLabel: yLabel)
        let ordered = series.filter(\.faint) + series.filter { !$0.faint }
        for s in ordered {
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }
            guard !pts.isEmpty else { continue }
            let color = palette[s.colorIndex % palette.count]
            let coords = pts.map { "\(n(xAxis.pixel($0.x))),\(n(yAxis.pixel($0.y)))" }.joined(separator: " ")
            if pts.count == 1 {
                svg += "  <circle cx=\"\(n(xAxis.pixel(pts[0].x)))\" cy=\"\(n(yAxis.pixel(pts[0].y)))\" r=\"3\" "
                    + "fill=\"\(color)\"\(s.faint ? " fill-opacity=\"0.35\"" : "")/>\n"
            } else {
                svg += "  <polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(s.faint ? "1" : "2.2")\""
                    + "\(s.faint ? " stroke-opacity=\"0.35\"" : "") stroke-linejoin=\"round\" points=\"\(coords)\"/>\n"
            }
        }
        let legend = series.filter { !$0.faint }
        for (i, s) in legend.enumerated() {
            let y = top + 14 + Double(i) * 20
            let x = width - right + 18
            let color = palette[s.colorIndex % palette.count]
            svg += "  <line x1=\"\(n(x))\" y1=\"\(n(y))\" x2=\"\(n(x + 22))\" y2=\"\(n(y))\" stroke=\"\(color)\" "
                + "stroke-width=\"2.5\"/>\n"
            svg += "  <text x=\"\(n(x + 28))\" y=\"\(n(y + 4))\" font-size=\"12\">\(escape(s.name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// A chart of one value per label with vertical error bars from `lower`
    /// to `upper`, the value printed beside each point.
    public static func intervalChart(title: String, yLabel: String, intervals: [Interval],
                                     valueLabel: (Double) -> String = { String(format: "%.3g", $0) }) -> String {
        let values = intervals.flatMap { [$0.lower, $0.upper, $0.value] }.filter(\.isFinite)
        let yAxis = AxisScale(minimum: values.min() ?? 0, maximum: values.max() ?? 1,
                              pixelStart: height - bottom, pixelEnd: top)
        let count = max(1, intervals.count)
        let plotLeft = left, plotRight = width - 32
        let slot = (plotRight - plotLeft) / Double(count)
        var svg = header(title: title)
        svg += yGridAndTicks(yAxis, from: plotLeft, to: plotRight)
        svg += frame(xFrom: plotLeft, xTo: plotRight, yAxis: yAxis)
        svg += "  <text x=\"18\" y=\"\(n((top + height - bottom) / 2))\" font-size=\"13\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 18 \(n((top + height - bottom) / 2)))\">\(escape(yLabel))</text>\n"
        for (i, item) in intervals.enumerated() {
            let cx = plotLeft + slot * (Double(i) + 0.5)
            let color = palette[i % palette.count]
            if item.lower.isFinite, item.upper.isFinite {
                let y1 = yAxis.pixel(item.lower), y2 = yAxis.pixel(item.upper)
                svg += "  <line x1=\"\(n(cx))\" y1=\"\(n(y1))\" x2=\"\(n(cx))\" y2=\"\(n(y2))\" stroke=\"\(color)\" "
                    + "stroke-width=\"2\"/>\n"
                for y in [y1, y2] {
                    svg += "  <line x1=\"\(n(cx - 9))\" y1=\"\(n(y))\" x2=\"\(n(cx + 9))\" y2=\"\(n(y))\" "
                        + "stroke=\"\(color)\" stroke-width=\"2\"/>\n"
                }
            }
            if item.value.isFinite {
                let cy = yAxis.pixel(item.value)
                svg += "  <circle cx=\"\(n(cx))\" cy=\"\(n(cy))\" r=\"5\" fill=\"\(color)\"/>\n"
                svg += "  <text x=\"\(n(cx + 13))\" y=\"\(n(cy + 4))\" font-size=\"11\">"
                    + "\(escape(valueLabel(item.value)))</text>\n"
            }
            svg += "  <text x=\"\(n(cx))\" y=\"\(n(height - bottom + 20))\" font-size=\"12\" text-anchor=\"middle\">"
                + "\(escape(item.label))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// The training curves of a comparison for one logged metric (such as
    /// `"loss"`): per algorithm, each seed faintly and the mean over seeds
    /// (at the steps every seed logged) as a solid line.
    public static func trainingCurves(_ result: ComparisonSummary, metric: String) -> String {
        var series: [Series] = []
        for (i, row) in result.rows.enumerated() {
            let curves = result.curves[row.algorithm] ?? []
            let perSeed = curves.map { $0.points(metric) }
            if perSeed.count > 1 {
                for (k, pts) in perSeed.enumerated() {
                    series.append(Series(name: "\(row.algorithm) seed \(result.seeds[k])",
                                         points: pts.map { (x: Double($0.step), y: $0.value) },
                                         colorIndex: i, faint: true))
                }
            }
            var sums: [Int: (Double, Int)] = [:]
            for pts in perSeed { for p in pts { sums[p.step, default: (0, 0)].0 += p.value; sums[p.step]!.1 += 1 } }
            let mean = sums.keys.sorted().compactMap { step -> (x: Double, y: Double)? in
                let (total, count) = sums[step]!
                return count == perSeed.count ? (x: Double(step), y: total / Double(count)) : nil
            }
            series.append(Series(name: row.algorithm, points: mean, colorIndex: i))
        }
        let seedsNote = result.seeds.count > 1 ? " (mean of \(result.seeds.count) seeds)" : ""
        return lineChart(title: "Training \(metric)\(seedsNote)", xLabel: "meta-training step",
                         yLabel: metric, series: series)
    }

    /// The final metric of each algorithm with its confidence-interval bar.
    public static func finalMetric(_ result: ComparisonSummary) -> String {
        let scale = result.metric == "accuracy" ? 100.0 : 1.0
        let intervals = result.rows.map { row in
            let e = row.estimate
            return Interval(label: row.algorithm, value: e.mean * scale,
                            lower: (e.lower ?? e.mean) * scale, upper: (e.upper ?? e.mean) * scale)
        }
        let confidence = Int(((result.rows.first?.estimate.confidence ?? 0.95) * 100).rounded())
        let title = "\(ReportFormat.metricTitle(result.metric)) on \(result.episodes) episodes × "
            + "\(result.seeds.count) seed\(result.seeds.count == 1 ? "" : "s"), \(confidence)% CI"
        return intervalChart(title: title, yLabel: ReportFormat.metricTitle(result.metric), intervals: intervals,
                             valueLabel: { result.metric == "accuracy" ? String(format: "%.2f", $0)
                                                                        : String(format: "%.4g", $0) })
    }

    // MARK: - Pieces

    static func header(title: String) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(n(width))\" height=\"\(n(height))\" "
            + "viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
            + "  <rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#ffffff\"/>\n"
            + "  <text x=\"\(n(width / 2))\" y=\"24\" font-size=\"15\" font-weight=\"bold\" text-anchor=\"middle\">"
            + "\(escape(title))</text>\n"
    }

    static func axes(x: AxisScale, y: AxisScale, xLabel: String, yLabel: String) -> String {
        var svg = yGridAndTicks(y, from: x.pixelStart, to: x.pixelEnd)
        for t in x.ticks {
            let px = x.pixel(t)
            svg += "  <line x1=\"\(n(px))\" y1=\"\(n(y.pixelStart))\" x2=\"\(n(px))\" y2=\"\(n(y.pixelStart + 5))\" "
                + "stroke=\"#333333\"/>\n"
            svg += "  <text x=\"\(n(px))\" y=\"\(n(y.pixelStart + 18))\" font-size=\"11\" text-anchor=\"middle\">"
                + "\(escape(ReportFormat.tick(t, step: x.step)))</text>\n"
        }
        svg += frame(xFrom: x.pixelStart, xTo: x.pixelEnd, yAxis: y)
        svg += "  <text x=\"\(n((x.pixelStart + x.pixelEnd) / 2))\" y=\"\(n(height - 14))\" font-size=\"13\" "
            + "text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        let cy = (y.pixelStart + y.pixelEnd) / 2
        svg += "  <text x=\"18\" y=\"\(n(cy))\" font-size=\"13\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 18 \(n(cy)))\">\(escape(yLabel))</text>\n"
        return svg
    }

    static func yGridAndTicks(_ y: AxisScale, from x0: Double, to x1: Double) -> String {
        var svg = ""
        for t in y.ticks {
            let py = y.pixel(t)
            svg += "  <line x1=\"\(n(x0))\" y1=\"\(n(py))\" x2=\"\(n(x1))\" y2=\"\(n(py))\" stroke=\"#e5e5e5\"/>\n"
            svg += "  <line x1=\"\(n(x0 - 5))\" y1=\"\(n(py))\" x2=\"\(n(x0))\" y2=\"\(n(py))\" stroke=\"#333333\"/>\n"
            svg += "  <text x=\"\(n(x0 - 8))\" y=\"\(n(py + 4))\" font-size=\"11\" text-anchor=\"end\">"
                + "\(escape(ReportFormat.tick(t, step: y.step)))</text>\n"
        }
        return svg
    }

    static func frame(xFrom x0: Double, xTo x1: Double, yAxis y: AxisScale) -> String {
        "  <rect x=\"\(n(x0))\" y=\"\(n(y.pixelEnd))\" width=\"\(n(x1 - x0))\" height=\"\(n(y.pixelStart - y.pixelEnd))\" "
            + "fill=\"none\" stroke=\"#333333\"/>\n"
    }

    /// A coordinate with at most two decimals, without trailing zeros.
    static func n(_ v: Double) -> String {
        var s = String(format: "%.2f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    /// Escapes text for XML character data and attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }
}
