import CBLAS
import Foundation

/// The OpenBLAS library the engine's GEMMs run on: its thread count, core kernel
/// name, and a measurement of its raw `sgemm` rate.
///
/// OpenBLAS's thread count is process-wide state of the C library. The engine never
/// changes it on its own. When meta-batch tasks run on several threads, each doing
/// its own small GEMMs, set it to 1 (`BLASConfiguration.threadCount = 1`) so that the
/// tasks, not OpenBLAS, use the cores; one task at a time may use all of them.
public enum BLASConfiguration {
    /// The number of threads OpenBLAS uses for one call.
    public static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(Swift.max(1, newValue))) }
    }

    /// The number of processors OpenBLAS detected.
    public static var processorCount: Int { Int(openblas_get_num_procs()) }

    /// The name of the kernel set OpenBLAS selected (e.g. "Haswell", "Zen", "SkylakeX").
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's build configuration string.
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// Measures raw `cblas_sgemm` on `[m, k] x [k, n]` (preallocated buffers, no engine
    /// overhead): the median GFLOP/s over `repetitions` calls after one warm-up call.
    /// `clock` returns seconds (default: the monotonic wall clock).
    public static func measureSGEMM(m: Int, n: Int, k: Int, repetitions: Int = 10,
                                    clock: () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }) -> Double {
        let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        for i in 0..<(m * k) { a[i] = Float(i % 7) * 0.25 - 0.5 }
        for i in 0..<(k * n) { b[i] = Float(i % 5) * 0.25 - 0.5 }
        var times: [Double] = []
        for r in 0...Swift.max(1, repetitions) {
            let start = clock()
            BLAS.sgemm(transposeA: false, transposeB: false, m: m, n: n, k: k, a, lda: k, b, ldb: n, c, ldc: n)
            let elapsed = clock() - start
            if r > 0 { times.append(elapsed) }
        }
        times.sort()
        return 2 * Double(m) * Double(n) * Double(k) / times[times.count / 2] / 1e9
    }
}
