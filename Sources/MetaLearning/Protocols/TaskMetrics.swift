import Autograd

/// Task metrics computed on plain values (no graph): accuracy of logits
/// against labels and mean squared error of predictions against targets.
public enum TaskMetrics {
    /// Fraction of rows of `logits` (`[N, ways]`) whose arg-max equals the
    /// label (ties go to the lowest index). 0 for an empty set.
    public static func accuracy(logits: Tensor, labels: [Int32]) -> Double {
        guard !labels.isEmpty else { return 0 }
        let values = logits.scalars
        let width = values.count / labels.count
        precondition(width * labels.count == values.count && logits.shape.first == labels.count,
                     "TaskMetrics.accuracy: logits \(logits.shape) do not match \(labels.count) labels")
        var correct = 0
        values.withUnsafeBufferPointer { v in
            for row in 0..<labels.count {
                var best = 0
                var bestValue = v[row &* width]
                for k in 1..<max(width, 1) where v[row &* width &+ k] > bestValue {
                    best = k
                    bestValue = v[row &* width &+ k]
                }
                if best == Int(labels[row]) { correct += 1 }
            }
        }
        return Double(correct) / Double(labels.count)
    }

    /// Mean over all elements of `(predictions - targets)^2`, accumulated in Double.
    public static func meanSquaredError(predictions: Tensor, targets: Tensor) -> Double {
        let p = predictions.scalars, t = targets.scalars
        precondition(p.count == t.count,
                     "TaskMetrics.meanSquaredError: predictions \(predictions.shape) vs targets \(targets.shape)")
        guard !p.isEmpty else { return 0 }
        var sum = 0.0
        for i in 0..<p.count {
            let d = Double(p[i]) - Double(t[i])
            sum += d * d
        }
        return sum / Double(p.count)
    }

    /// Accuracy for class targets, MSE for value targets.
    public static func metric(outputs: Tensor, targets: Targets) throws -> Double {
        switch targets {
        case .classes(let labels):
            guard outputs.shape.count == 2, outputs.shape[0] == labels.count else {
                throw TaskDataError.countMismatch("predictions", inputs: outputs.shape.first ?? 0,
                                                  targets: labels.count)
            }
            return accuracy(logits: outputs, labels: labels)
        case .values(let values):
            guard outputs.scalars.count == values.scalars.count else {
                throw TaskDataError.countMismatch("predictions", inputs: outputs.shape.first ?? 0,
                                                  targets: values.shape.first ?? 0)
            }
            return meanSquaredError(predictions: outputs, targets: values)
        }
    }
}
