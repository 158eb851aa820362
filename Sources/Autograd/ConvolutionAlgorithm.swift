/// How `conv2d` and its gradients compute a convolution.
///
/// `.automatic` (the default) picks a kernel per geometry (`Kernel`, and
/// `kernel(input:weight:stride:padding:)` to ask which): 3x3 stride-1
/// convolutions with at least 16 input and output channels and outputs of 7x7
/// or more run through Winograd's F(2x2, 3x3) (`WinogradKernels`: 2.25x fewer
/// multiply-adds); 3x3 stride-1 convolutions of one input channel through
/// direct AVX2 kernels (`SingleChannelConvolution`); the rest with 16 or more
/// input channels through a channels-last unfolding and one OpenBLAS GEMM
/// (`ChannelsLastConvolution`); everything else through NCHW im2col and one
/// GEMM. `.im2col` uses NCHW im2col for every convolution, for comparisons and
/// for bit-level reproduction of results computed before the other kernels
/// were added (they differ in rounding only, about 1e-6 relative).
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

    /// The kernels a convolution can run through.
    public enum Kernel: Sendable, Equatable {
        case winograd, singleChannel, channelsLast, im2col
    }

    /// The kernel `conv2d` uses, in the current scope, for an NCHW `input` of this
    /// shape and an OIHW `weight` of this shape (its gradients use the same one).
    public static func kernel(input: [Int], weight: [Int], stride: Int, padding: Int) -> Kernel {
        let g = ConvGeometry(input: input, weight: weight, stride: stride, padding: padding)
        return g.winograd ? .winograd : g.singleChannel ? .singleChannel : g.channelsLast ? .channelsLast : .im2col
    }

    /// Runs `body` with convolutions computed by `algorithm`.
    public static func with<R>(_ algorithm: ConvolutionAlgorithm, _ body: () throws -> R) rethrows -> R {
        try $current.withValue(algorithm) { try body() }
    }
}
