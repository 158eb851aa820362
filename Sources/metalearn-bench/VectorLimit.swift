import ArgumentParser
import Autograd

/// The `--vector` option of the benchmark commands: the widest vector
/// instructions the hand-written kernels may use (`VectorInstructions`).
enum VectorLimit: String, ExpressibleByArgument, CaseIterable, Sendable {
    case avx2, avx512

    var instructions: VectorInstructions {
        switch self {
        case .avx2: .avx2
        case .avx512: .avx512
        }
    }

    /// What runs under this limit on this CPU: "avx512", "avx2" or "portable".
    var describeInForce: String {
        guard let detected = VectorInstructions.detected else { return "portable" }
        return min(detected, instructions) == .avx512 ? "avx512" : "avx2"
    }
}
