/// What the trainer reports after each meta-step.
public struct StepReport: Sendable, Equatable {
    /// Steps completed, counting this one (1 after the first step).
    public var step: Int
    /// Mean task loss of the meta-batch.
    public var loss: Double
    /// Mean task metric of the meta-batch (`metricName`).
    public var metric: Double
    /// `"accuracy"` or `"mse"`.
    public var metricName: String
    /// Wall-clock seconds of the step.
    public var seconds: Double

    public init(step: Int, loss: Double, metric: Double, metricName: String, seconds: Double) {
        self.step = step
        self.loss = loss
        self.metric = metric
        self.metricName = metricName
        self.seconds = seconds
    }
}

/// Whether training goes on after a step report.
public enum TrainingControl: Sendable, Equatable {
    case proceed
    case stop
}
