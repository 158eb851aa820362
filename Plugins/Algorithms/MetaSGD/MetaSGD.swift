import Autograd
import Layers
import MetaLearning

/// Meta-SGD (Li, Zhou, Chen & Li 2017): MAML whose inner step size is a
/// learned tensor `α` of the same shape as the weights, applied elementwise:
///
///     θ'₀ = θ,   θ'ₖ₊₁ = θ'ₖ − α ⊙ ∇L_S(θ'ₖ),
///
/// and both `θ` and `α` are meta-learned from `∇_(θ,α) L_Q(θ'ₙ)` (second
/// order through `gradients(of:with:createGraph: true)`).
///
/// The learning rates are ordinary meta-parameters named
/// `"lr/<weight name>"` (after all weights), so the trainer's optimizer
/// updates them, and a checkpoint saves and restores them with the
/// weights. They start uniform in `initialLearningRateRange` (the paper:
/// `[0.005, 0.1]`).
///
/// With `firstOrder` the inner gradients are constants; `α` still gets its
/// exact one-step gradient `−∇L_S(θ) ⊙ ∇L_Q(θ'₁)`, and `θ` the first-order one.
///
/// ```swift
/// let learner = try MetaSGD(problem: problem, network: net)
/// var rng = SeededGenerator(seed: 0)
/// let params = learner.initialParameters(using: &rng)      // "fc1.weight", ..., "lr/fc1.weight", ...
/// let rates = try learner.learningRates(in: params)         // named like the weights
/// ```
public struct MetaSGD: Learner {
    /// The inner-loop settings.
    public struct Configuration: Sendable, Equatable {
        /// Inner steps per task during meta-training (the paper: 1).
        public var innerSteps: Int
        /// Inner steps at evaluation (default 1, the number the rates were learned for).
        public var evaluationInnerSteps: Int
        /// The range of the initial per-parameter learning rates.
        public var initialLearningRateRange: ClosedRange<Float>
        /// Treat inner gradients as constants.
        public var firstOrder: Bool

        /// Defaults: the paper's one learned-rate step, rates initialised in `[0.005, 0.1]`, second order.
        public init(innerSteps: Int = 1, evaluationInnerSteps: Int = 1,
                    initialLearningRateRange: ClosedRange<Float> = 0.005...0.1, firstOrder: Bool = false) {
            self.innerSteps = innerSteps
            self.evaluationInnerSteps = evaluationInnerSteps
            self.initialLearningRateRange = initialLearningRateRange
            self.firstOrder = firstOrder
        }
    }

    /// The name prefix of the learning-rate tensors: `"lr/conv1.weight"` is
    /// the learning rate of `"conv1.weight"`.
    public static let learningRatePrefix = "lr/"

    /// The option declarations.
    public static let options: [OptionSpec] = [
        NetworkArchitecture.option,
        .int("inner-steps", default: 1, help: "inner steps per task in meta-training (paper: 1)"),
        .int("eval-inner-steps", default: 1, help: "inner steps at evaluation"),
        .double("lr-init-min", default: 0.005, help: "lower end of the uniform initial learning rates (paper: 0.005)"),
        .double("lr-init-max", default: 0.1, help: "upper end of the uniform initial learning rates (paper: 0.1)"),
        .bool("first-order", default: false, help: "treat inner gradients as constants (no second-order terms)"),
    ]

    /// The problem the network was built for.
    public let problem: ProblemSpec
    /// The adapted model.
    public let network: Network
    /// Inner-loop settings.
    public let configuration: Configuration

    /// `"metasgd"`.
    public var name: String { "metasgd" }

    /// Throws `MetaSGDError.invalidOption` for fewer than one inner step, a
    /// negative evaluation step count or an initial range outside `(0, ∞)`.
    public init(problem: ProblemSpec, network: Network, configuration: Configuration = Configuration()) throws {
        guard configuration.innerSteps >= 1 else {
            throw MetaSGDError.invalidOption(option: "inner-steps", value: "\(configuration.innerSteps)",
                                             requirement: "at least 1")
        }
        guard configuration.evaluationInnerSteps >= 0 else {
            throw MetaSGDError.invalidOption(option: "eval-inner-steps", value: "\(configuration.evaluationInnerSteps)",
                                             requirement: "at least 0")
        }
        let range = configuration.initialLearningRateRange
        guard range.lowerBound > 0, range.upperBound.isFinite else {
            throw MetaSGDError.invalidOption(option: "lr-init-min", value: "\(range.lowerBound)...\(range.upperBound)",
                                             requirement: "0 < lr-init-min <= lr-init-max, finite")
        }
        guard network.head.outputs == problem.outputDimension else {
            throw MetaSGDError.taskMismatch(reason: "network head has \(network.head.outputs) outputs, "
                                            + "problem \(problem) needs \(problem.outputDimension)")
        }
        self.problem = problem
        self.network = network
        self.configuration = configuration
    }

    /// A learner from registry options.
    public init(context: AlgorithmContext) throws {
        let options = context.options
        let low = try options.double("lr-init-min"), high = try options.double("lr-init-max")
        guard low > 0, low <= high else {
            throw MetaSGDError.invalidOption(option: "lr-init-min", value: "\(low) (lr-init-max \(high))",
                                             requirement: "0 < lr-init-min <= lr-init-max")
        }
        let architecture = try NetworkArchitecture(option: options.string("backbone"))
        try self.init(problem: context.problem, network: architecture.network(for: context.problem),
                      configuration: Configuration(innerSteps: try options.int("inner-steps"),
                                                   evaluationInnerSteps: try options.int("eval-inner-steps"),
                                                   initialLearningRateRange: Float(low)...Float(high),
                                                   firstOrder: try options.bool("first-order")))
    }

    /// The network's weights (PyTorch initialisation), then one learning-rate
    /// tensor per weight, uniform in `initialLearningRateRange`.
    public func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
        var parameters = network.initialParameters(using: &rng)
        let range = configuration.initialLearningRateRange
        for (name, weight) in Array(parameters) {
            parameters[Self.learningRatePrefix + name] =
                Tensor.randomUniform(shape: weight.shape, low: range.lowerBound, high: range.upperBound, using: &rng)
        }
        return parameters
    }

    /// The learning-rate tensors of `parameters`, named like the weights they scale.
    public func learningRates(in parameters: ParameterSet) throws -> ParameterSet {
        try split(parameters).rates
    }

    /// The gradient of the post-adaptation query loss with respect to the
    /// weights and the learning rates.
    public func taskGradient(for task: TaskData, parameters: ParameterSet,
                             using rng: inout SeededGenerator) throws -> TaskGradient {
        try check(task)
        let all = parameters.requiringGradient()
        let (theta, alpha) = try split(all)
        var fast = theta
        for _ in 0..<configuration.innerSteps {
            let supportLoss = try TaskLoss.loss(outputs: network.apply(task.supportInputs, parameters: fast),
                                                targets: task.supportTargets)
            let g = gradients(of: supportLoss, with: fast, createGraph: !configuration.firstOrder)
            fast = Self.step(fast, g, alpha)
        }
        let outputs = network.apply(task.queryInputs, parameters: fast)
        let queryLoss = try TaskLoss.loss(outputs: outputs, targets: task.queryTargets)
        return TaskGradient(gradients: gradients(of: queryLoss, with: all), loss: Double(queryLoss.scalar),
                            metric: try TaskMetrics.metric(outputs: outputs, targets: task.queryTargets))
    }

    /// Adapts with `evaluationInnerSteps` learned-rate steps, then returns the query outputs.
    public func predict(task: TaskData, parameters: ParameterSet, using rng: inout SeededGenerator) throws -> Tensor {
        let adapted = try adapt(parameters, to: task, steps: configuration.evaluationInnerSteps)
        return withoutGradient { network.apply(task.queryInputs, parameters: adapted) }
    }

    /// The weights of `parameters` after `steps` inner steps on the task's
    /// support set with the learned rates, as constants (no graph).
    public func adapt(_ parameters: ParameterSet, to task: TaskData, steps: Int) throws -> ParameterSet {
        try check(task)
        let (theta, alpha) = try split(parameters.detached())
        var fast = theta
        for _ in 0..<steps {
            let leaves = fast.requiringGradient()
            let supportLoss = try TaskLoss.loss(outputs: network.apply(task.supportInputs, parameters: leaves),
                                                targets: task.supportTargets)
            let g = gradients(of: supportLoss, with: leaves)
            fast = withoutGradient { Self.step(fast, g, alpha) }
        }
        return fast
    }

    /// `w − α ⊙ g` for every weight.
    static func step(_ weights: ParameterSet, _ grads: ParameterSet, _ rates: ParameterSet) -> ParameterSet {
        var index = 0
        return weights.combined(with: grads) { _, w, g in
            defer { index += 1 }
            return w - rates.tensors[index] * g
        }
    }

    /// The network's weights and their learning rates (named like the
    /// weights, in the same order); throws `MetaSGDError.missingLearningRate`.
    func split(_ parameters: ParameterSet) throws -> (weights: ParameterSet, rates: ParameterSet) {
        var weights: [(String, Tensor)] = [], rates: [(String, Tensor)] = []
        for name in network.parameterNames {
            guard let w = parameters[name] else {
                throw MetaSGDError.taskMismatch(reason: "parameters lack the weight '\(name)'")
            }
            guard let r = parameters[Self.learningRatePrefix + name], r.shape == w.shape else {
                throw MetaSGDError.missingLearningRate(parameter: name, expectedShape: w.shape)
            }
            weights.append((name, w))
            rates.append((name, r))
        }
        return (ParameterSet(weights), ParameterSet(rates))
    }

    /// Throws `MetaSGDError.taskMismatch` unless the task's inputs and targets fit the network.
    func check(_ task: TaskData) throws {
        if let reason = task.mismatch(with: problem, outputs: network.head.outputs) {
            throw MetaSGDError.taskMismatch(reason: reason)
        }
    }
}
