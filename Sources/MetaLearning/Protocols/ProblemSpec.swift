/// What kind of problem a task distribution poses, so that an algorithm can
/// build a model of the right shape before it sees any task.
///
/// ```swift
/// // 5-way Omniglot, 1x28x28 images, 4800 global class ids:
/// let omniglot = ProblemSpec.classification(ways: 5, channels: 1, height: 28, width: 28,
///                                           trainingClasses: 4800)
/// // Sinusoid regression, x -> y:
/// let sinusoid = ProblemSpec.regression(inputDimension: 1, outputDimension: 1)
/// ```
public enum ProblemSpec: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// N-way classification of `channels x height x width` inputs. `ways` is
    /// the (maximum) number of classes per task, the size of an episodic
    /// classifier's head. `trainingClasses` is the number of global class ids
    /// (`TaskData.classes` lie in `0..<trainingClasses`), the head size of a
    /// pre-training baseline that classifies all classes at once.
    case classification(ways: Int, channels: Int, height: Int, width: Int, trainingClasses: Int)
    /// Regression from `inputDimension` features to `outputDimension` values
    /// (inputs `[S, inputDimension]`, targets `[S, outputDimension]`).
    case regression(inputDimension: Int, outputDimension: Int)

    /// The two problem kinds, for what an algorithm supports.
    public enum Kind: String, Sendable, Equatable, Hashable, CaseIterable {
        case classification, regression
    }

    /// This problem's kind.
    public var kind: Kind {
        switch self {
        case .classification: return .classification
        case .regression: return .regression
        }
    }

    /// The shape of one input: `[C, H, W]` or `[D]`.
    public var inputShape: [Int] {
        switch self {
        case .classification(_, let c, let h, let w, _): return [c, h, w]
        case .regression(let d, _): return [d]
        }
    }

    /// The model's output width: `ways` logits or `outputDimension` values.
    public var outputDimension: Int {
        switch self {
        case .classification(let ways, _, _, _, _): return ways
        case .regression(_, let d): return d
        }
    }

    /// The per-task evaluation metric: `"accuracy"` (higher is better) or
    /// `"mse"` (mean squared error, lower is better).
    public var metricName: String {
        switch self {
        case .classification: return "accuracy"
        case .regression: return "mse"
        }
    }

    /// Whether a larger metric is better (accuracy) or worse (MSE).
    public var higherMetricIsBetter: Bool { kind == .classification }

    public var description: String {
        switch self {
        case .classification(let ways, let c, let h, let w, let n):
            return "\(ways)-way classification of \(c)x\(h)x\(w) inputs (class ids 0..<\(n) in the dataset)"
        case .regression(let i, let o):
            return "regression \(i) -> \(o)"
        }
    }
}
