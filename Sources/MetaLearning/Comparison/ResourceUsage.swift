import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resource measurements of the running process: peak resident memory and
/// wall-clock time, as reported in comparison tables.
///
/// On Linux the peak comes from `VmHWM` in `/proc/self/status`, which
/// ``resetPeak()`` can reset (by writing `5` to `/proc/self/clear_refs`), so
/// each run of a comparison reports its own peak even though all runs share
/// one process. Elsewhere, or when `/proc` is not readable, it falls back to
/// `getrusage(RUSAGE_SELF).ru_maxrss`, the peak since the process started.
public enum ResourceUsage {
    /// The peak resident set size of this process in bytes, since it started
    /// or since the last successful ``resetPeak()``.
    public static func peakResidentBytes() -> Int {
        if let kib = statusField("VmHWM:") { return kib * 1024 }
        return rusagePeakBytes()
    }

    /// The current resident set size in bytes (0 when the platform does not tell).
    public static func currentResidentBytes() -> Int {
        (statusField("VmRSS:") ?? 0) * 1024
    }

    /// Resets the peak-resident counter to the current resident size.
    /// Returns `false` when the platform cannot (the peak then keeps counting
    /// from process start).
    @discardableResult
    public static func resetPeak() -> Bool {
        #if os(Linux)
        let fd = open("/proc/self/clear_refs", O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let written = "5".withCString { write(fd, $0, 1) }
        return written == 1
        #else
        return false
        #endif
    }

    /// `getrusage(RUSAGE_SELF).ru_maxrss` in bytes (Linux reports KiB, Darwin bytes).
    public static func rusagePeakBytes() -> Int {
        var usage = rusage()
        #if canImport(Glibc)
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        #else
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
        #endif
        #if canImport(Darwin)
        return Int(usage.ru_maxrss)
        #else
        return Int(usage.ru_maxrss) * 1024
        #endif
    }

    /// A value (in KiB) from `/proc/self/status`, such as `VmHWM:`.
    private static func statusField(_ key: String) -> Int? {
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            let digits = line.dropFirst(key.count).filter { $0.isNumber }
            return Int(digits)
        }
        return nil
        #else
        return nil
        #endif
    }

    /// Measures one stretch of work: wall-clock seconds since it started and
    /// the peak resident bytes reached meanwhile.
    public struct Meter: Sendable {
        private let start: ContinuousClock.Instant

        /// Starts measuring now; resets the process's peak counter when the
        /// platform allows it.
        public init() {
            ResourceUsage.resetPeak()
            start = ContinuousClock.now
        }

        /// Wall-clock seconds since the meter started.
        public var elapsedSeconds: Double {
            let d = ContinuousClock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }

        /// Peak resident bytes since the meter started (or since process start
        /// where the peak cannot be reset).
        public var peakResidentBytes: Int { ResourceUsage.peakResidentBytes() }
    }
}
