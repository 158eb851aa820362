import ArgumentParser
import Autograd
import Foundation

/// `metalearn-bench workloads`: the six workloads of the learn2learn
/// comparison (`/work/shared/bench/peer/bench_peer.py`), each in its own
/// child process (this executable re-run with the hidden `--child NAME`) so
/// that peak RSS is per workload; `--rounds` rounds over the selection,
/// medians reported, a table printed and the JSON written with `--json`.
///
/// ```
/// metalearn-bench workloads --quick --only a_maml_so_1step,d_protonet --json ours.json
/// ```
struct WorkloadsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workloads",
        abstract: "MAML / FOMAML / ProtoNet / meta-test workloads of the learn2learn comparison, one process each.")

    @Option(help: "Comma-separated workload names (default: all six).")
    var only: String = ""

    @Option(help: "Seconds timed per workload (after warm-up).")
    var minTime: Double = 8

    @Option(help: "Timed iterations at least.")
    var minIters: Int = 5

    @Option(help: "Untimed warm-up iterations.")
    var warmup: Int = 3

    @Option(help: "Rounds over the workloads (interleaved; the median is reported).")
    var rounds: Int = 3

    @Option(help: "Trainer workers and OpenBLAS threads.")
    var threads: Int = 2

    @Flag(help: "1 round, 3 s per workload, 2 warm-up and at least 3 timed iterations (as the peer's --quick).")
    var quick = false

    @Flag(help: ArgumentHelp("Meta-test: adapt one task at a time with its kernels split over the threads (the "
                             + "peer's loop), instead of as many tasks at once as threads (Evaluator, as `metalearn "
                             + "eval` does)."))
    var oneTaskAtATime = false

    @Flag(help: "Compute every convolution by im2col and one GEMM (no Winograd), for before/after comparisons.")
    var im2col = false

    @Option(help: ArgumentHelp("Widest vector instructions of the hand-written kernels: avx512 (default: what the "
                               + "CPU has) or avx2, for before/after comparisons (the same bits either way).",
                               valueName: "set"))
    var vector: VectorLimit = .avx512

    @Option(help: "Write the results as JSON here.")
    var json: String?

    @Option(help: .hidden)
    var child: String?

    func validate() throws {
        guard minTime >= 0, minIters >= 1, warmup >= 0, rounds >= 1, threads >= 1 else {
            throw ValidationError("workloads: --min-time >= 0, --min-iters >= 1, --warmup >= 0, --rounds >= 1 "
                                  + "and --threads >= 1 expected")
        }
        for name in selectedNames { _ = try Workload(named: name) }
        if let child { _ = try Workload(named: child) }
    }

    private var selectedNames: [String] {
        only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The timing settings after `--quick`.
    private var timing: (minTime: Double, minIters: Int, warmup: Int, rounds: Int) {
        quick ? (3, 3, 2, 1) : (minTime, minIters, warmup, rounds)
    }

    func run() throws {
        if let child {
            let t = timing
            let runner = WorkloadRunner(workload: try Workload(named: child), threads: threads, minTime: t.minTime,
                                        minIterations: t.minIters, warmup: t.warmup, oneTaskAtATime: oneTaskAtATime)
            let result = try ConvolutionAlgorithm.with(im2col ? .im2col : .automatic) {
                try VectorInstructions.limited(to: vector.instructions) { try runner.run() }
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            print("RESULT " + String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        let names = selectedNames
        let selection = names.isEmpty ? Workload.all : try names.map { try Workload(named: $0) }
        let t = timing
        let loadStart = ProcessStats.loadAverage
        print("# metalearn-bench workloads: OpenBLAS \(BLASConfiguration.coreName), threads=\(threads), "
              + (im2col ? "convolutions by im2col only, " : "")
              + "vector kernels \(vector.describeInForce), "
              + "warmup=\(t.warmup), >= \(t.minIters) iters and >= \(t.minTime) s, \(t.rounds) round(s), "
              + "load \(Self.format(loadStart))")
        var results: [String: [WorkloadResult]] = [:]
        for round in 1...t.rounds {
            for workload in selection {
                let result = try runChild(workload, timing: t)
                results[workload.name, default: []].append(result)
                print("  round \(round) " + Reporter.pad(workload.name, 20)
                      + String(format: " %8.3f ", result.itersPerSecond) + workload.unit
                      + String(format: "  (%.0f ms/iter, peak RSS %.0f MiB)", result.medianIterSeconds * 1e3,
                               result.peakRSSMiB))
            }
        }
        let summaries = selection.map { WorkloadSummary(workload: $0, results: results[$0.name] ?? []) }
        let loadEnd = ProcessStats.loadAverage
        printTable(summaries)
        print("# load average at end: \(Self.format(loadEnd))")
        if let json {
            let report = WorkloadReport(impl: "metalearn", threads: threads, blasCore: BLASConfiguration.coreName,
                                        date: ISO8601DateFormatter().string(from: Date()),
                                        loadAverageStart: loadStart, loadAverageEnd: loadEnd, workloads: summaries)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
            print("# results written to \(json)")
        }
    }

    /// Runs `workload` in a fresh copy of this executable and parses its `RESULT` line.
    private func runChild(_ workload: Workload, timing t: (minTime: Double, minIters: Int, warmup: Int, rounds: Int))
        throws -> WorkloadResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["workloads", "--child", workload.name, "--threads", "\(threads)",
                             "--min-time", "\(t.minTime)", "--min-iters", "\(t.minIters)", "--warmup", "\(t.warmup)"]
            + (oneTaskAtATime ? ["--one-task-at-a-time"] : []) + (im2col ? ["--im2col"] : [])
            + ["--vector", vector.rawValue]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0,
              let line = text.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") }) else {
            throw BenchError.childFailed(workload: workload.name, status: process.terminationStatus, output: text)
        }
        return try JSONDecoder().decode(WorkloadResult.self, from: Data(line.dropFirst("RESULT ".count).utf8))
    }

    private func printTable(_ summaries: [WorkloadSummary]) {
        print("\n## MetaLearn workloads (5-way 1-shot, 15 queries/class; threads=\(threads)); throughput = median over "
              + "rounds [min-max]; peakRSS = ru_maxrss of the workload's process (max over rounds)")
        let header: [(String, Int, Bool)] = [("workload", 20, false), ("median", 9, true), ("[min-max]", 17, false),
                                             ("unit", 10, false), ("tasks/s", 8, true), ("ms/iter", 8, true),
                                             ("peakRSS", 8, true), ("dRSS", 7, true), ("thr", 4, true)]
        print(header.map { Reporter.pad($0.0, $0.1, left: $0.2) }.joined(separator: " "))
        for s in summaries {
            let range = String(format: "[%.3f-%.3f]", s.itersPerSecondAll.min() ?? 0, s.itersPerSecondAll.max() ?? 0)
            print(Reporter.pad(s.name, 20) + String(format: " %9.3f ", s.itersPerSecondMedian) + Reporter.pad(range, 17)
                  + " " + Reporter.pad(s.unit, 10)
                  + String(format: " %8.2f %8.1f %7.0fM %6.0fM %4d", s.tasksPerSecondMedian, s.medianIterMilliseconds,
                           s.peakRSSMiB, s.deltaRSSMiB, s.threads))
        }
    }

    private static func format(_ loads: [Double]?) -> String {
        guard let loads else { return "n/a" }
        return loads.map { String(format: "%.2f", $0) }.joined(separator: " ")
    }
}
