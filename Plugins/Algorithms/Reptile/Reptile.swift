import Autograd
import Layers
import MetaLearning

/// Reptile (Nichol, Achiam & Schulman 2018), batched version.
///
/// For a task, starting from the meta-parameters `θ`, take `innerSteps`
/// optimiser steps (SGD, or Adam with β1 = 0 as in the paper) on
/// minibatches of the support set, reaching `φ`. `taskGradient` returns the
/// pseudo-gradient `θ − φ`; the trainer averages it over the meta-batch and
/// the meta-optimizer applies it. With `SGD(learningRate: ε)` this is the
/// paper's batched update `θ ← θ + ε · (1/n) Σ_i (φ_i − θ)`.
///
/// The inner optimiser's state (Adam's moment estimates and step count)
/// persists across tasks by default (`innerState: .persistent`), as in the
/// paper's code, where only the model's weights are reset between tasks
/// and the Adam slots carry on. Here it is kept as *buffers* of the
/// parameter set (`"inner.exp_avg_sq.conv1.weight"`, `"inner.step"`, ...):
/// every task of a meta-batch starts from the stored state and the trainer
/// stores the mean of the tasks' final states (the batched counterpart of
/// the paper's sequential loop), so runs stay deterministic for any thread
/// count, and checkpoints and evaluation carry the state. `.fresh` starts
/// every task from a new optimiser state instead.
///
/// `predict` adapts with `evalInnerSteps` steps on the support set and
/// returns the adapted network's outputs for the whole query set in one
/// batch (transductive batch normalisation, as in the paper's evaluation).
/// The reported loss and metric of a training task are those of the query
/// set after adaptation.
///
/// ```swift
/// let reptile = try Reptile(network: MLP(sizes: [1, 40, 40, 1]) as any Model, outputs: 1,
///                           innerOptimizer: .sgd, innerSteps: 5, innerLearningRate: 0.02)
/// let trainer = try MetaTrainer(learner: reptile, optimizer: SGD(learningRate: 1), tasks: sinusoid,
///                               configuration: .init(metaBatchSize: 5, seed: 1))
/// ```
public struct Reptile: Learner {
    /// The inner-loop optimisers.
    public enum InnerOptimizer: String, Sendable, Equatable, CaseIterable {
        case sgd, adam
    }

    /// Where each task's inner optimiser state comes from.
    public enum InnerState: String, Sendable, Equatable, CaseIterable {
        /// The state stored in the parameter set's buffers, updated by training (the paper's code).
        case persistent
        /// A new optimiser state for every task.
        case fresh
    }

    /// The prefix of the parameter-set entries holding the inner optimiser's
    /// state (no network parameter may start with it).
    public static let bufferPrefix = "inner."

    /// The network adapted per task (logits or regression values).
    public let network: any Model
    /// The network's output width (the head size: `ways` for classification).
    public let outputs: Int
    /// The inner-loop optimiser.
    public let innerOptimizer: InnerOptimizer
    /// Inner steps per training task.
    public let innerSteps: Int
    /// Inner-loop learning rate.
    public let innerLearningRate: Double
    /// Whether the inner optimiser's state persists across tasks.
    public let innerState: InnerState
    /// Support examples per inner step (0: the whole support set).
    public let innerBatch: Int
    /// Inner steps before predicting.
    public let evalInnerSteps: Int

    /// Throws `ReptileError.invalidOption` for negative step counts or
    /// batch size, a non-positive learning rate, or a network parameter
    /// named with `bufferPrefix`.
    public init(network: any Model, outputs: Int, innerOptimizer: InnerOptimizer = .adam, innerSteps: Int = 5,
                innerLearningRate: Double = 0.001, innerBatch: Int = 10, evalInnerSteps: Int = 50,
                innerState: InnerState = .persistent) throws {
        guard innerSteps >= 0 else {
            throw ReptileError.invalidOption(name: "inner-steps", value: "\(innerSteps)", expected: "a count >= 0")
        }
        guard evalInnerSteps >= 0 else {
            throw ReptileError.invalidOption(name: "eval-inner-steps", value: "\(evalInnerSteps)",
                                             expected: "a count >= 0")
        }
        guard innerLearningRate > 0 else {
            throw ReptileError.invalidOption(name: "inner-lr", value: "\(innerLearningRate)",
                                             expected: "a positive learning rate")
        }
        guard innerBatch >= 0 else {
            throw ReptileError.invalidOption(name: "inner-batch", value: "\(innerBatch)",
                                             expected: "a batch size >= 1, or 0 for the whole support set")
        }
        if let clash = network.parameterNames.first(where: { $0.hasPrefix(Self.bufferPrefix) }) {
            throw ReptileError.invalidOption(name: "network", value: clash,
                                             expected: "parameter names not starting with '\(Self.bufferPrefix)' "
                                                 + "(the prefix of the inner optimiser's state)")
        }
        self.network = network
        self.outputs = outputs
        self.innerOptimizer = innerOptimizer
        self.innerSteps = innerSteps
        self.innerLearningRate = innerLearningRate
        self.innerBatch = innerBatch
        self.evalInnerSteps = evalInnerSteps
        self.innerState = innerState
    }

    /// Builds the network from the `backbone` option and reads the inner-loop options.
    public init(context: AlgorithmContext) throws {
        let options = context.options
        let optimizerName = try options.string("inner-optimizer")
        guard let optimizer = InnerOptimizer(rawValue: optimizerName) else {
            throw ReptileError.invalidOption(name: "inner-optimizer", value: optimizerName, expected: "sgd or adam")
        }
        let stateName = try options.string("inner-state")
        guard let state = InnerState(rawValue: stateName) else {
            throw ReptileError.invalidOption(name: "inner-state", value: stateName, expected: "persistent or fresh")
        }
        let architecture = try NetworkArchitecture(option: options.string("backbone"))
        let network = try architecture.network(for: context.problem)
        try self.init(network: network, outputs: context.problem.outputDimension, innerOptimizer: optimizer,
                      innerSteps: options.int("inner-steps"), innerLearningRate: options.double("inner-lr"),
                      innerBatch: options.int("inner-batch"), evalInnerSteps: options.int("eval-inner-steps"),
                      innerState: state)
    }

    public var name: String { "reptile" }

    /// The network's initial weights, then (with `.persistent`) the inner
    /// optimiser's initial state as buffers.
    public func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
        let weights = network.initialParameters(using: &rng)
        return merged(weights: weights, state: optimizer.initialState(for: weights))
    }

    /// The buffers holding `state` (none with `.fresh`): one entry per
    /// state array, then one `[1]` entry per scalar, in name order.
    func buffers(of state: OptimizerState) -> [(String, Tensor)] {
        guard innerState == .persistent else { return [] }
        var pairs = state.arrays.map { (Self.bufferPrefix + $0.name, Tensor(shape: $0.shape, scalars: $0.values)) }
        for key in state.scalars.keys.sorted() {
            pairs.append((Self.bufferPrefix + key, Tensor(shape: [1], scalars: [Float(state.scalars[key]!)])))
        }
        return pairs
    }

    /// `weights` followed by the buffers of `state`.
    func merged(weights: ParameterSet, state: OptimizerState) -> ParameterSet {
        ParameterSet(Array(zip(weights.names, weights.tensors)) + buffers(of: state))
    }

    /// The network's weights in `parameters`, and the inner optimiser state
    /// to start a task from: the stored buffers (`.persistent`) or a fresh state.
    func split(_ parameters: ParameterSet) throws -> (weights: ParameterSet, state: OptimizerState) {
        var weights: [(String, Tensor)] = []
        for (name, tensor) in parameters where !name.hasPrefix(Self.bufferPrefix) { weights.append((name, tensor)) }
        let networkWeights = ParameterSet(weights)
        let template = optimizer.initialState(for: networkWeights)
        guard innerState == .persistent else { return (networkWeights, template) }
        var state = OptimizerState()
        for array in template.arrays {
            let name = Self.bufferPrefix + array.name
            guard let stored = parameters[name], stored.shape == array.shape else {
                throw ReptileError.missingInnerState(name: name, shape: array.shape)
            }
            state.arrays.append(NamedArray(name: array.name, shape: array.shape, values: stored.scalars))
        }
        for key in template.scalars.keys {
            let name = Self.bufferPrefix + key
            guard let stored = parameters[name], stored.shape == [1] else {
                throw ReptileError.missingInnerState(name: name, shape: [1])
            }
            state.scalars[key] = Double(stored.scalars[0])
        }
        return (networkWeights, state)
    }

    /// The inner-loop optimiser as a value (Adam with β1 = 0, as in the paper).
    var optimizer: any MetaOptimizer {
        switch innerOptimizer {
        case .sgd: return SGD(learningRate: innerLearningRate)
        case .adam: return Adam(learningRate: innerLearningRate, beta1: 0)
        }
    }

    /// The network's outputs for `inputs`, cut to the task's `ways` columns
    /// for classification.
    func outputs(_ inputs: Tensor, ways: Int, parameters: ParameterSet) -> Tensor {
        let y = network.apply(inputs, parameters: parameters)
        return ways > 0 && ways < outputs ? y.slice(axis: 1, range: 0..<ways) : y
    }

    /// The task loss of `outputs`: cross-entropy or mean squared error.
    static func loss(_ outputs: Tensor, _ targets: Targets) -> Tensor {
        switch targets {
        case .classes(let labels): return crossEntropy(logits: outputs, labels: labels)
        case .values(let values): return meanSquaredError(outputs, values)
        }
    }

    /// `targets` restricted to the examples `indices`.
    static func subset(_ targets: Targets, _ indices: [Int]) -> Targets {
        switch targets {
        case .classes(let labels): return .classes(indices.map { labels[$0] })
        case .values(let values): return .values(values.gathered(indices: indices))
        }
    }

    /// `φ`: `steps` inner-optimiser steps from `parameters` on the support
    /// set of `task`, each on the next minibatch of `innerBatch` examples
    /// (drawn without replacement, reshuffled with `rng` when exhausted, as
    /// the paper's code does) or on the whole support set. The optimiser
    /// starts from the state in the buffers of `parameters` (`.persistent`)
    /// or a fresh one; the result has the same entries as `parameters`, its
    /// buffers holding the optimiser's state after the steps.
    public func adapt(_ parameters: ParameterSet, to task: TaskData, steps: Int,
                      using rng: inout SeededGenerator) throws -> ParameterSet {
        if task.ways > outputs { throw ReptileError.tooManyWays(ways: task.ways, outputs: outputs) }
        let optimizer = self.optimizer
        var (phi, state) = try split(parameters.detached())
        let count = task.supportCount
        let batch = innerBatch == 0 || innerBatch >= count ? count : innerBatch
        var order: [Int] = []
        var position = 0
        for _ in 0..<steps {
            var inputs = task.supportInputs, targets = task.supportTargets
            if batch < count {
                var indices: [Int] = []
                indices.reserveCapacity(batch)
                while indices.count < batch {
                    if position == order.count {
                        order = Self.permutation(count, using: &rng)
                        position = 0
                    }
                    indices.append(order[position])
                    position += 1
                }
                inputs = inputs.gathered(indices: indices)
                targets = Self.subset(targets, indices)
            }
            let p = phi.requiringGradient()
            let loss = Self.loss(outputs(inputs, ways: task.ways, parameters: p), targets)
            let g = gradients(of: loss, with: p)
            (phi, state) = optimizer.update(parameters: phi, gradients: g, state: state)
        }
        let adapted = merged(weights: phi, state: state)
        return parameters.mapTensors { name, tensor in adapted[name] ?? tensor.detached() }
    }

    /// A uniformly random permutation of `0..<count` (Fisher-Yates with
    /// Lemire's unbiased bounded integers), built only on `rng.next()` so it
    /// cannot change with the standard library's shuffling algorithm.
    public static func permutation(_ count: Int, using rng: inout SeededGenerator) -> [Int] {
        var items = Array(0..<count)
        var i = count - 1
        while i > 0 {
            let bound = UInt64(i + 1)
            var product = rng.next().multipliedFullWidth(by: bound)
            if product.low < bound {
                let threshold = (0 &- bound) % bound
                while product.low < threshold { product = rng.next().multipliedFullWidth(by: bound) }
            }
            items.swapAt(i, Int(product.high))
            i -= 1
        }
        return items
    }

    public func taskGradient(for task: TaskData, parameters: ParameterSet,
                             using rng: inout SeededGenerator) throws -> TaskGradient {
        let phi = try adapt(parameters, to: task, steps: innerSteps, using: &rng)
        return try withoutGradient {
            // θ − φ for the weights; the buffers are not trained by the
            // meta-optimizer (zero) but replaced by the meta-batch's mean.
            var buffers: [(String, Tensor)] = []
            let pseudoGradient = parameters.combined(with: phi) { name, theta, adapted in
                guard name.hasPrefix(Self.bufferPrefix) else { return theta - adapted }
                buffers.append((name, adapted))
                return Tensor(zeros: theta.shape)
            }
            let query = outputs(task.queryInputs, ways: task.ways, parameters: phi)
            return TaskGradient(gradients: pseudoGradient, loss: Double(Self.loss(query, task.queryTargets).scalar),
                                metric: try TaskMetrics.metric(outputs: query, targets: task.queryTargets),
                                buffers: ParameterSet(buffers))
        }
    }

    public func predict(task: TaskData, parameters: ParameterSet,
                        using rng: inout SeededGenerator) throws -> Tensor {
        let phi = try adapt(parameters, to: task, steps: evalInnerSteps, using: &rng)
        return withoutGradient { outputs(task.queryInputs, ways: task.ways, parameters: phi) }
    }
}
