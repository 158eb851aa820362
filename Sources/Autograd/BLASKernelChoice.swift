import CConvKernels
#if canImport(Glibc)
import Glibc
#endif

/// Which of OpenBLAS's kernel sets (its "core") a process runs on, and the restart
/// that corrects a choice narrower than the CPU.
///
/// OpenBLAS built for several CPUs (`DYNAMIC_ARCH`, as Debian ships it) picks a
/// kernel set when the library loads, before `main` runs: the one named by the
/// environment variable `OPENBLAS_CORETYPE`, or else one it derives from the CPU's
/// model number. A release that does not know the model falls back to its oldest
/// x86-64 set. Debian 12's OpenBLAS 0.3.21 on an Intel Xeon of model 207 (Emerald
/// Rapids, AVX-512) picks "Prescott", SSE3 kernels: sgemm 1024^3 runs at 39 GFLOP/s
/// on 2 threads where the same library's "SkylakeX" kernels run at 219, and a
/// ProtoNet episode takes 2.4x as long. Since the choice is made at load time, the
/// only correction is to set the variable and start the program again, which
/// `relaunchIfNeeded()` does for executables; the `metalearn` and
/// `metalearn-bench` commands call it first thing.
///
/// The correction never overrides a user: with `OPENBLAS_CORETYPE` set (to any
/// value, empty included) OpenBLAS's choice stands. Note that results are
/// bit-identical for one seed, thread count *and kernel set*: the kernel sets add
/// in different orders.
public enum BLASKernelChoice {
    /// The environment variable OpenBLAS reads its kernel set from.
    public static let coreTypeVariable = "OPENBLAS_CORETYPE"

    /// The environment variable in which a restarted process finds the kernel set
    /// OpenBLAS had chosen by itself before the restart.
    public static let originalChoiceVariable = "METALEARN_OPENBLAS_CHOSE"

    /// OpenBLAS's x86-64 kernel sets whose single-precision GEMM uses 512-bit registers.
    static let avx512Sets: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]

    /// Its x86-64 kernel sets with 256-bit AVX2 and FMA GEMMs.
    static let avx2Sets: Set<String> = ["haswell", "zen"]

    /// Its x86-64 kernel sets older than AVX2 (SSE to AVX).
    static let olderSets: Set<String> = [
        "prescott", "core2", "penryn", "dunnington", "nehalem", "sandybridge", "atom", "nano",
        "katmai", "coppermine", "northwood", "banias", "athlon", "opteron", "opteron_sse3",
        "barcelona", "bobcat", "bulldozer", "piledriver", "steamroller", "excavator",
    ]

    /// The widest vectors this CPU offers OpenBLAS's kernels: `.avx512` with AVX-512
    /// F, CD, BW, DQ and VL (what its SkylakeX kernels are built for), `.avx2` with
    /// AVX2 and FMA, nil otherwise.
    public static let cpu: VectorInstructions? =
        ccv_has_avx512_skylakex() != 0 ? .avx512 : ccv_has_avx2_fma() != 0 ? .avx2 : nil

    /// The kernel set to ask for instead of `chosen` on a CPU offering `cpu`: "SkylakeX"
    /// where the CPU has AVX-512 and `chosen` is one of OpenBLAS's narrower sets,
    /// "Haswell" where it has AVX2 and `chosen` is older than AVX2; nil when `chosen`
    /// already uses the CPU's widest vectors, and for a name this table does not know.
    public static func better(than chosen: String, cpu: VectorInstructions?) -> String? {
        let name = chosen.lowercased()
        switch cpu {
        case .avx512?:
            return olderSets.contains(name) || avx2Sets.contains(name) ? "SkylakeX" : nil
        case .avx2?:
            return olderSets.contains(name) ? "Haswell" : nil
        case nil:
            return nil
        }
    }

    /// The kernel set this process should restart with, given the value of
    /// `OPENBLAS_CORETYPE` (nil when unset): nil when it is set (the user's choice,
    /// or an earlier restart's), else `better(than:cpu:)` of the loaded library's choice.
    public static func restartCoreType(coreTypeSetting: String?) -> String? {
        guard coreTypeSetting == nil else { return nil }
        return better(than: BLASConfiguration.coreName, cpu: cpu)
    }

    /// For executables, before any other work: when OpenBLAS chose a kernel set
    /// narrower than the CPU's (`restartCoreType`), sets `OPENBLAS_CORETYPE` to the
    /// better set and `METALEARN_OPENBLAS_CHOSE` to OpenBLAS's own choice, and
    /// replaces the process with a new run of the same executable and arguments
    /// (`execv` of `/proc/self/exe`; same process id, open files and terminal).
    /// Returns when nothing needs doing, off Linux, or when the restart fails (the
    /// variables are then removed again and OpenBLAS's choice stands).
    public static func relaunchIfNeeded() {
        #if os(Linux)
        let setting = getenv(coreTypeVariable).map { String(cString: $0) }
        guard let core = restartCoreType(coreTypeSetting: setting) else { return }
        setenv(coreTypeVariable, core, 1)
        setenv(originalChoiceVariable, BLASConfiguration.coreName, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv(coreTypeVariable)
        unsetenv(originalChoiceVariable)
        #endif
    }

    /// One line naming the kernel set in use and, after a restart, the one OpenBLAS
    /// had chosen, e.g. "OpenBLAS 0.3.21, SkylakeX kernels (OpenBLAS chose Prescott
    /// for this CPU; set by MetaLearn through OPENBLAS_CORETYPE)".
    public static var summary: String {
        let config = BLASConfiguration.configuration.split(separator: " ")
        let version = config.count >= 2 && config[0] == "OpenBLAS" ? "OpenBLAS \(config[1])" : "OpenBLAS"
        var line = "\(version), \(BLASConfiguration.coreName) kernels"
        if let original = getenv(originalChoiceVariable).map({ String(cString: $0) }), !original.isEmpty {
            line += " (OpenBLAS chose \(original) for this CPU; set by MetaLearn through \(coreTypeVariable))"
        } else if let forced = getenv(coreTypeVariable).map({ String(cString: $0) }) {
            line += " (\(coreTypeVariable)=\(forced))"
        }
        return line
    }
}
