/// Everything needed to evaluate, resume or fine-tune a run: what a
/// checkpoint file holds.
public struct Checkpoint: Sendable, Equatable {
    /// Meta-parameters by name, in a stable order.
    public var parameters: [NamedArray]
    /// The meta-optimizer's name (`"adam"`, `"sgd"`) and its state arrays
    /// (moments and the like), plus scalar state such as Adam's step count.
    public var optimizerName: String
    public var optimizerState: [NamedArray]
    public var optimizerScalars: [String: Double]
    /// Meta-training steps completed.
    public var step: Int
    /// The `SeededGenerator` state at `step`, so resuming continues the same stream.
    public var rngState: [UInt64]
    /// The full run configuration as a JSON object (algorithm, dataset, options).
    public var configJSON: String
    /// The metric history so far.
    public var metrics: MetricHistory
    /// The MetaLearn version that wrote it.
    public var softwareVersion: String

    public init(parameters: [NamedArray], optimizerName: String, optimizerState: [NamedArray],
                optimizerScalars: [String: Double] = [:], step: Int, rngState: [UInt64], configJSON: String,
                metrics: MetricHistory, softwareVersion: String) {
        self.parameters = parameters
        self.optimizerName = optimizerName
        self.optimizerState = optimizerState
        self.optimizerScalars = optimizerScalars
        self.step = step
        self.rngState = rngState
        self.configJSON = configJSON
        self.metrics = metrics
        self.softwareVersion = softwareVersion
    }
}

/// A named Float32 array with its shape: one parameter or one optimizer-state buffer.
public struct NamedArray: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count,
                     "NamedArray '\(name)': shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// Metrics recorded during training: one row per logged step, one column
/// per metric name (such as `"loss"`, `"accuracy"`, `"seconds"`).
public struct MetricHistory: Sendable, Equatable {
    public var steps: [Int]
    public var columns: [String: [Double]]

    public init(steps: [Int] = [], columns: [String: [Double]] = [:]) {
        self.steps = steps
        self.columns = columns
    }

    /// Appends one row; metrics absent from earlier rows are back-filled with NaN.
    public mutating func append(step: Int, _ values: [String: Double]) {
        for key in values.keys where columns[key] == nil {
            columns[key] = Array(repeating: .nan, count: steps.count)
        }
        steps.append(step)
        for key in columns.keys {
            columns[key]!.append(values[key] ?? .nan)
        }
    }
}
