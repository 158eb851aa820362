/// One child process's measurement of one workload, in the peer script's
/// JSON field names (`iters_per_s`, `peak_rss_mib`, ...) so one comparison
/// script reads both sides.
struct WorkloadResult: Codable, Sendable {
    var name: String
    /// `"metalearn"`.
    var impl: String
    var desc: String
    /// Timed iterations.
    var iters: Int
    /// Sum of the timed iterations' durations.
    var seconds: Double
    var itersPerSecond: Double
    var medianIterSeconds: Double
    var minIterSeconds: Double
    var maxIterSeconds: Double
    var tasksPerSecond: Double
    var tasksPerIter: Int
    /// `ru_maxrss` at the end of the timed loop, MiB.
    var peakRSSMiB: Double
    /// `ru_maxrss` after setup (registry, task pool, learner, trainer), MiB.
    var rssAfterSetupMiB: Double
    /// The configured thread count (trainer workers, OpenBLAS threads per call).
    var threads: Int
    /// OS threads of the process at the end (`/proc/self/status`).
    var osThreads: Int
    /// OpenBLAS's kernel set.
    var blasCore: String
    /// Load averages when the child finished.
    var loadAverage: [Double]?
    /// The registered algorithm and the options its learner was built with.
    var learner: String

    enum CodingKeys: String, CodingKey {
        case name, impl, desc, iters, seconds, threads
        case itersPerSecond = "iters_per_s"
        case medianIterSeconds = "median_iter_s"
        case minIterSeconds = "min_iter_s"
        case maxIterSeconds = "max_iter_s"
        case tasksPerSecond = "tasks_per_s"
        case tasksPerIter = "tasks_per_iter"
        case peakRSSMiB = "peak_rss_mib"
        case rssAfterSetupMiB = "rss_after_setup_mib"
        case osThreads = "os_threads"
        case blasCore = "blas_core"
        case loadAverage = "load_avg"
        case learner
    }
}

/// A workload's results over rounds: medians of throughput, maximum of peak
/// RSS, as the peer script aggregates them.
struct WorkloadSummary: Codable, Sendable {
    var name: String
    var impl: String
    var desc: String
    var unit: String
    var rounds: Int
    var itersPerSecondMedian: Double
    var itersPerSecondAll: [Double]
    var tasksPerSecondMedian: Double
    var medianIterMilliseconds: Double
    var peakRSSMiB: Double
    /// Peak RSS minus RSS after setup (maximum over rounds), MiB.
    var deltaRSSMiB: Double
    var threads: Int
    var osThreads: Int
    var raw: [WorkloadResult]

    enum CodingKeys: String, CodingKey {
        case name, impl, desc, unit, rounds, threads, raw
        case itersPerSecondMedian = "iters_per_s_median"
        case itersPerSecondAll = "iters_per_s_all"
        case tasksPerSecondMedian = "tasks_per_s_median"
        case medianIterMilliseconds = "median_iter_ms"
        case peakRSSMiB = "peak_rss_mib"
        case deltaRSSMiB = "drss_mib"
        case osThreads = "os_threads"
    }

    /// The summary of `results` (at least one) of `workload`.
    init(workload: Workload, results: [WorkloadResult]) {
        precondition(!results.isEmpty, "WorkloadSummary needs at least one result")
        let rates = results.map(\.itersPerSecond)
        name = workload.name
        impl = results[0].impl
        desc = workload.summary
        unit = workload.unit
        rounds = results.count
        itersPerSecondMedian = Self.median(rates)
        itersPerSecondAll = rates
        tasksPerSecondMedian = itersPerSecondMedian * Double(results[0].tasksPerIter)
        medianIterMilliseconds = 1e3 * Self.median(results.map(\.medianIterSeconds))
        peakRSSMiB = results.map(\.peakRSSMiB).max() ?? 0
        deltaRSSMiB = results.map { $0.peakRSSMiB - $0.rssAfterSetupMiB }.max() ?? 0
        threads = results[0].threads
        osThreads = results.map(\.osThreads).max() ?? 0
        raw = results
    }

    /// The median (mean of the middle two for an even count).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let n = sorted.count
        if n == 0 { return .nan }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}

/// The file `metalearn-bench workloads --json` writes.
struct WorkloadReport: Codable, Sendable {
    var impl: String
    var threads: Int
    var blasCore: String
    var date: String
    var loadAverageStart: [Double]?
    var loadAverageEnd: [Double]?
    var workloads: [WorkloadSummary]

    enum CodingKeys: String, CodingKey {
        case impl, threads, date, workloads
        case blasCore = "blas_core"
        case loadAverageStart = "load_avg_start"
        case loadAverageEnd = "load_avg_end"
    }
}
