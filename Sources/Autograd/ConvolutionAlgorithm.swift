/// How `conv2d` and its gradients compute a convolution.
///
/// `.automatic` (the default) runs 3x3 stride-1 convolutions with at least 16
/// input and output channels and outputs of 7x7 or more through Winograd's
/// F(2x2, 3x3) (`WinogradKernels`: 2.25x fewer multiply-adds) and everything
/// else through im2col and one OpenBLAS GEMM. `.im2col` uses im2col for every
/// convolution, for comparisons and for bit-level reproduction of results
/// computed before Winograd was added (the two differ in rounding only, about
/// 1e-6 relative).
///
/// The choice is a task-local value (thread-local outside Swift tasks), like
/// `IntraOpParallelism`'s width: it holds for the calling scope only, and
/// threads a scope starts (the workers of `MetaTrainer`) use the default.
public enum ConvolutionAlgorithm: Sendable, Equatable {
    case automatic
    case im2col

    @TaskLocal static var current = ConvolutionAlgorithm.automatic

    /// The algorithm in force in the current scope.
    public static var inForce: ConvolutionAlgorithm { current }

    /// Runs `body` with convolutions computed by `algorithm`.
    public static func with<R>(_ algorithm: ConvolutionAlgorithm, _ body: () throws -> R) rethrows -> R {
        try $current.withValue(algorithm) { try body() }
    }
}
