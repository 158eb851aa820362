/// A configuration or task the fine-tuning baseline cannot work with.
public enum BaselineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An option value outside its valid range (named, with what was expected).
    case invalidOption(name: String, value: String, expected: String)
    /// A training task's global class id outside the pre-training classifier.
    case globalLabelOutOfRange(label: Int32, trainingClasses: Int)

    public var description: String {
        switch self {
        case .invalidOption(let name, let value, let expected):
            return "baseline: option '\(name)' = \(value) is invalid, expected \(expected)"
        case .globalLabelOutOfRange(let label, let classes):
            return "baseline: training task has global class \(label), outside the classifier's 0..<\(classes) "
                + "(the learner must be built for the training distribution's problem)"
        }
    }
}
