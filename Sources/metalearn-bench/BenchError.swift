/// Why a benchmark could not run: bad options, an unknown workload, or a
/// child process that failed or reported nothing readable.
enum BenchError: Error, CustomStringConvertible {
    /// A workload name the benchmark does not know.
    case unknownWorkload(String, known: [String])
    /// An option value out of range.
    case invalidOption(String)
    /// A child process exited with `status` or printed no result line.
    case childFailed(workload: String, status: Int32, output: String)

    var description: String {
        switch self {
        case .unknownWorkload(let name, let known):
            return "metalearn-bench: unknown workload '\(name)', expected one of \(known.joined(separator: ", "))"
        case .invalidOption(let message):
            return "metalearn-bench: \(message)"
        case .childFailed(let workload, let status, let output):
            return "metalearn-bench: child process for workload '\(workload)' failed (status \(status)): "
                + String(output.suffix(1500))
        }
    }
}
