import Autograd

/// The standard differentiable loss of a task's outputs: mean cross-entropy
/// for class targets (outputs are logits `[N, ways]`), mean squared error
/// for value targets (outputs shaped like the values). Algorithms that
/// handle both classification and regression (MAML, Reptile, Meta-SGD)
/// use it for inner and outer losses alike.
///
/// ```swift
/// let logits = network.apply(task.supportInputs, parameters: fast)
/// let loss = try TaskLoss.loss(outputs: logits, targets: task.supportTargets)
/// ```
public enum TaskLoss {
    /// Cross-entropy or MSE, as a scalar tensor that records a graph when
    /// `outputs` does. Throws `TaskDataError.countMismatch` when outputs and
    /// targets do not fit.
    public static func loss(outputs: Tensor, targets: Targets) throws -> Tensor {
        switch targets {
        case .classes(let labels):
            guard outputs.rank == 2, outputs.shape[0] == labels.count else {
                throw TaskDataError.countMismatch("loss", inputs: outputs.shape.first ?? 0, targets: labels.count)
            }
            if let bad = labels.first(where: { $0 < 0 || Int($0) >= outputs.shape[1] }) {
                throw TaskDataError.labelOutOfRange("loss", label: bad, ways: outputs.shape[1])
            }
            return crossEntropy(logits: outputs, labels: labels)
        case .values(let values):
            guard outputs.shape == values.shape else {
                throw TaskDataError.countMismatch("loss", inputs: outputs.shape.first ?? 0,
                                                  targets: values.shape.first ?? 0)
            }
            return meanSquaredError(outputs, values)
        }
    }
}
