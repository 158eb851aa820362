import CConvKernels

/// The x86 vector instruction sets the hand-written kernels of `CConvKernels`
/// are built for, and which of them runs.
///
/// Every kernel is compiled for AVX2 and FMA through per-function target
/// attributes, and the channels-last GEMM tiles (`ImplicitColumnConvolution`)
/// a second time for AVX-512F, with 512-bit registers; the CPU is asked once
/// which it has. Both variants of a kernel compute each output value as the
/// same chain of fused multiply-adds in the same order, so they give the same
/// bits: the choice changes speed only (on this project's AMD Zen 5 machine
/// the 512-bit tiles double the multiply-adds per instruction). The rest of
/// the package stays baseline x86-64.
///
/// `limited(to:_:)` restricts a scope to narrower kernels, so tests and
/// benchmarks can run both variants on one machine. The limit is a task-local
/// value (thread-local outside Swift tasks), read on the calling thread before
/// a kernel splits into parts, like `ConvolutionAlgorithm`.
public enum VectorInstructions: Int, Sendable, Comparable {
    /// AVX2 and FMA: 256-bit registers.
    case avx2 = 1
    /// AVX-512F: 512-bit registers (and, here, AVX2 and FMA as well).
    case avx512 = 2

    /// The widest set this CPU has, or nil where it lacks AVX2 or FMA (there the
    /// portable paths and OpenBLAS run).
    public static let detected: VectorInstructions? =
        ccv_has_avx2_fma() == 0 ? nil : ccv_has_avx512f() != 0 ? .avx512 : .avx2

    @TaskLocal static var limit = VectorInstructions.avx512

    /// The limit of the current scope (`.avx512` unless `limited(to:_:)` lowered it),
    /// for code that carries it over to threads it starts.
    public static var currentLimit: VectorInstructions { limit }

    /// The set the kernels use in the current scope: the detected one, at most the limit.
    public static var inForce: VectorInstructions? { detected.map { Swift.min($0, limit) } }

    /// Runs `body` with the kernels using at most `instructions`.
    public static func limited<R>(to instructions: VectorInstructions, _ body: () throws -> R) rethrows -> R {
        try $limit.withValue(instructions) { try body() }
    }

    public static func < (a: VectorInstructions, b: VectorInstructions) -> Bool { a.rawValue < b.rawValue }
}
