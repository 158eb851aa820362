import Foundation

/// What the operating system reports about this process: peak resident set
/// size (`getrusage` `ru_maxrss`, the same number the peer's `resource`
/// module reads) and the current number of OS threads.
enum ProcessStats {
    /// Peak resident set size so far, in MiB (`ru_maxrss` is in KiB on Linux).
    static var peakRSSMiB: Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// Threads of this process (`Threads:` in `/proc/self/status`), or 0 where unavailable.
    static var osThreadCount: Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("Threads:") {
            return Int(line.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return 0
    }

    /// Seconds on the monotonic clock.
    static func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) * 1e-9
    }

    /// The 1-, 5- and 15-minute load averages, or `nil` where unavailable.
    static var loadAverage: [Double]? {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) == 3 ? loads : nil
    }
}
