/// A paired comparison of two methods evaluated on the same episodes:
/// summaries of each and of the per-episode differences `a[i] - b[i]`.
///
/// Because both methods answer the same tasks, episode difficulty cancels
/// out in the differences, so their confidence interval is usually much
/// tighter than comparing the two means.
///
/// ```swift
/// let c = try PairedComparison(maml.perEpisode, protoNet.perEpisode)
/// if c.isSignificant { print("difference", c.difference.mean, "±", c.difference.confidenceInterval.halfWidth) }
/// ```
public struct PairedComparison: Sendable, Equatable, Codable {
    /// Summary of the first method's results.
    public var a: Summary
    /// Summary of the second method's results.
    public var b: Summary
    /// Summary of the per-episode differences `a - b`.
    public var difference: Summary

    /// Compares per-episode results; throws when the arrays differ in length.
    public init(_ a: [Double], _ b: [Double], level: Double = 0.95) throws {
        guard a.count == b.count else { throw PairedComparisonError.lengthMismatch(a.count, b.count) }
        self.a = Summary(a, level: level)
        self.b = Summary(b, level: level)
        self.difference = Summary(zip(a, b).map { $0 - $1 }, level: level)
    }

    /// Whether the difference's confidence interval excludes zero.
    public var isSignificant: Bool {
        let ci = difference.confidenceInterval
        return !ci.halfWidth.isNaN && !ci.contains(0)
    }
}

/// Per-episode result arrays of different lengths cannot be paired.
public enum PairedComparisonError: Error, Equatable, Sendable, CustomStringConvertible {
    case lengthMismatch(Int, Int)

    public var description: String {
        switch self {
        case .lengthMismatch(let a, let b):
            return "paired comparison: per-episode results have \(a) and \(b) entries, expected the same episodes"
        }
    }
}
