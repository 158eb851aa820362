/// Errors of the comparison engine. Each message is one line that names the
/// run or file concerned and what was expected.
public enum ComparisonError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The plan itself is unusable (no algorithms, duplicate names, no seeds...).
    case invalidPlan(String)
    /// A statistic could not be computed from the values given.
    case invalidStatistics(String)
    /// A run folder holds results made with other settings than this comparison's.
    case configurationMismatch(run: String, key: String, recorded: String, requested: String)
    /// A `run.json` file could not be read or decoded.
    case unreadableRecord(path: String, reason: String)
    /// A run failed; `reason` is the underlying error's message.
    case runFailed(run: String, reason: String)
    /// Runs disagree on something that must be shared (metric, episode count).
    case inconsistentRuns(String)
    /// The comparison stopped on request (Ctrl-C) before every run finished.
    case interrupted(finished: Int, total: Int)

    public var description: String {
        switch self {
        case .invalidPlan(let m): return "comparison plan: \(m)"
        case .invalidStatistics(let m): return "statistics: \(m)"
        case .configurationMismatch(let run, let key, let recorded, let requested):
            return "\(run): was run with \(key)=\(recorded), this comparison asks for \(key)=\(requested); "
                + "use another --output folder (existing results are never overwritten)"
        case .unreadableRecord(let path, let reason): return "\(path): not a readable run record (\(reason))"
        case .runFailed(let run, let reason): return "run \(run) failed: \(reason)"
        case .inconsistentRuns(let m): return "inconsistent runs: \(m)"
        case .interrupted(let finished, let total):
            return "interrupted: \(finished) of \(total) runs finished; run the same command again to resume"
        }
    }
}
