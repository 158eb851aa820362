/// A standard network that `NetworkArchitecture` cannot build for a problem.
public enum NetworkArchitectureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The backbone leaves no features for inputs of this shape
    /// (`conv4-protonet` max-pools four times and needs at least 16x16 images).
    case inputTooSmall(backbone: String, inputShape: [Int])
    /// A convolutional backbone was asked for a problem without image inputs.
    case unsupportedProblem(backbone: String, problem: ProblemSpec.Kind)

    public var description: String {
        switch self {
        case .inputTooSmall(let backbone, let shape):
            return "backbone '\(backbone)' gives no features for inputs of shape \(shape) "
                + "(it halves the image size four times, rounding down: it needs images of at least 16x16)"
        case .unsupportedProblem(let backbone, let problem):
            return "backbone '\(backbone)' is convolutional and needs image inputs, but the problem is \(problem.rawValue) "
                + "of feature vectors (use 'mlp' or 'auto')"
        }
    }
}
