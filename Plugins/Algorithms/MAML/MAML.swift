import Autograd
import Layers
import MetaLearning

/// Model-Agnostic Meta-Learning (Finn, Abbeel & Levine 2017) and its
/// first-order approximation FOMAML.
///
/// For a task with support set `S` and query set `Q`, the inner loop takes
/// `innerSteps` plain SGD steps from the meta-parameters `θ`,
///
///     θ'₀ = θ,   θ'ₖ₊₁ = θ'ₖ − α ∇L_S(θ'ₖ),
///
/// and the task's meta-gradient is `∇_θ L_Q(θ'ₙ)`. MAML differentiates
/// through the inner steps (second order: the inner gradients are built
/// with `gradients(of:with:createGraph: true)`, so Hessian-vector products
/// of the support loss enter the meta-gradient). FOMAML treats the inner
/// gradients as constants, so `dθ'ₙ/dθ = I` and the meta-gradient is the
/// query-loss gradient at the adapted parameters, `∇L_Q(θ'ₙ)`.
///
/// Losses: cross-entropy for classification, mean squared error for
/// regression. Batch normalisation uses the statistics of the batch being
/// forwarded (support or query set), as in the paper. At evaluation
/// (`predict`) the learner adapts with its own `evaluationInnerSteps`
/// (the paper: 1 step in training, 3 at test time on Omniglot 5-way),
/// without recording any graph beyond each step's support gradient.
///
/// ```swift
/// let problem = ProblemSpec.classification(ways: 5, channels: 1, height: 28, width: 28, trainingClasses: 4112)
/// let maml = try MAML(problem: problem,
///                     network: NetworkArchitecture.auto.network(for: problem),   // Conv4 + Linear(64 -> 5)
///                     configuration: .init(innerSteps: 1, innerLearningRate: 0.4, evaluationInnerSteps: 3))
/// let trainer = try MetaTrainer(learner: maml, optimizer: Adam(learningRate: 1e-3), tasks: omniglot,
///                               configuration: .init(metaBatchSize: 32, threads: 2, seed: 1))
/// ```
public struct MAML: Learner {
    /// Which parameters the inner loop adapts.
    public enum InnerParameters: String, Sendable, Equatable, CaseIterable {
        /// Every parameter (learn2learn's `MAML` wrapper, the default).
        case all
        /// All but the normalisation layers' scales and offsets
        /// (`Network.normalizationParameterNames`), which stay at `θ` in the
        /// inner loop and are learned by the meta-update only, as in Finn et
        /// al.'s code, whose batch-norm variables are not among the adapted weights.
        case noNorm = "no-norm"
    }

    /// The inner-loop settings.
    public struct Configuration: Sendable, Equatable {
        /// SGD steps on the support set per task during meta-training (at least 1).
        public var innerSteps: Int
        /// The inner step size `α` (positive).
        public var innerLearningRate: Float
        /// SGD steps on the support set at evaluation (`predict`); 0 predicts with `θ` itself.
        public var evaluationInnerSteps: Int
        /// FOMAML: drop the second-order terms of the meta-gradient.
        public var firstOrder: Bool
        /// The parameters the inner steps (training and evaluation) update.
        public var innerParameters: InnerParameters

        /// Defaults: the paper's Omniglot 5-way setting (1 step of size 0.4,
        /// 3 steps at evaluation), second order, every parameter adapted.
        public init(innerSteps: Int = 1, innerLearningRate: Float = 0.4, evaluationInnerSteps: Int = 3,
                    firstOrder: Bool = false, innerParameters: InnerParameters = .all) {
            self.innerSteps = innerSteps
            self.innerLearningRate = innerLearningRate
            self.evaluationInnerSteps = evaluationInnerSteps
            self.firstOrder = firstOrder
            self.innerParameters = innerParameters
        }
    }

    /// The problem the network was built for.
    public let problem: ProblemSpec
    /// The adapted model.
    public let network: Network
    /// Inner-loop settings.
    public let configuration: Configuration

    /// The names of the parameters the inner loop updates; `nil` for all.
    let adaptedNames: Set<String>?

    /// `"maml"`, or `"fomaml"` when first order.
    public var name: String { configuration.firstOrder ? "fomaml" : "maml" }

    /// A learner for `problem` with `network`; throws `MAMLError.invalidOption`
    /// for fewer than one inner step, a negative evaluation step count or a
    /// non-positive (or non-finite) inner learning rate.
    public init(problem: ProblemSpec, network: Network, configuration: Configuration = Configuration()) throws {
        let name = configuration.firstOrder ? "fomaml" : "maml"
        guard configuration.innerSteps >= 1 else {
            throw MAMLError.invalidOption(algorithm: name, option: "inner-steps", value: "\(configuration.innerSteps)",
                                          requirement: "at least 1")
        }
        guard configuration.evaluationInnerSteps >= 0 else {
            throw MAMLError.invalidOption(algorithm: name, option: "eval-inner-steps",
                                          value: "\(configuration.evaluationInnerSteps)", requirement: "at least 0")
        }
        guard configuration.innerLearningRate > 0, configuration.innerLearningRate.isFinite else {
            throw MAMLError.invalidOption(algorithm: name, option: "inner-lr", value: "\(configuration.innerLearningRate)",
                                          requirement: "a positive finite number")
        }
        guard network.head.outputs == problem.outputDimension else {
            throw MAMLError.taskMismatch(algorithm: name, reason: "network head has \(network.head.outputs) outputs, "
                                         + "problem \(problem) needs \(problem.outputDimension)")
        }
        switch configuration.innerParameters {
        case .all:
            adaptedNames = nil
        case .noNorm:
            let frozen = Set(network.normalizationParameterNames)
            guard !frozen.isEmpty else {
                throw MAMLError.invalidOption(algorithm: name, option: "inner-params", value: "no-norm",
                                              requirement: "a network with normalisation layers (this one has none)")
            }
            adaptedNames = Set(network.parameterNames.filter { !frozen.contains($0) })
        }
        self.problem = problem
        self.network = network
        self.configuration = configuration
    }

    /// The option declarations of `"maml"` (with `first-order`) or of
    /// `"fomaml"` (without it: the name fixes it).
    public static func options(includingFirstOrder: Bool) -> [OptionSpec] {
        var specs: [OptionSpec] = [
            NetworkArchitecture.option,
            .int("inner-steps", default: 1, help: "SGD steps on the support set per task in meta-training"),
            .double("inner-lr", default: 0.4, help: "inner SGD step size alpha (paper: 0.4 Omniglot, 0.01 sinusoid and miniImageNet)"),
            .int("eval-inner-steps", default: 3, help: "SGD steps on the support set at evaluation (paper: 3 on Omniglot 5-way)"),
            .string("inner-params", default: "all",
                    help: "parameters the inner loop adapts: all, or no-norm (batch-norm scales and offsets only meta-learned, as Finn et al.'s code)"),
        ]
        if includingFirstOrder {
            specs.append(.bool("first-order", default: false,
                               help: "drop second-order terms (FOMAML): meta-gradient = query gradient at adapted weights"))
        }
        return specs
    }

    /// A learner from registry options (`backbone`, `inner-steps`, `inner-lr`,
    /// `eval-inner-steps`, `inner-params`, and `first-order` unless `firstOrder` fixes it).
    public init(context: AlgorithmContext, firstOrder: Bool? = nil) throws {
        let options = context.options
        let architecture = try NetworkArchitecture(option: options.string("backbone"))
        let first = try firstOrder ?? options.bool("first-order")
        let innerName = try options.string("inner-params")
        guard let inner = InnerParameters(rawValue: innerName) else {
            throw MAMLError.invalidOption(algorithm: first ? "fomaml" : "maml", option: "inner-params", value: innerName,
                                          requirement: "all or no-norm")
        }
        let configuration = Configuration(
            innerSteps: try options.int("inner-steps"),
            innerLearningRate: Float(try options.double("inner-lr")),
            evaluationInnerSteps: try options.int("eval-inner-steps"),
            firstOrder: first, innerParameters: inner)
        try self.init(problem: context.problem, network: architecture.network(for: context.problem),
                      configuration: configuration)
    }

    /// The network's initial parameters (PyTorch's default initialisation), drawn from `rng`.
    public func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
        network.initialParameters(using: &rng)
    }

    /// The meta-gradient of the query loss after `innerSteps` inner steps,
    /// with the query loss and metric after adaptation.
    public func taskGradient(for task: TaskData, parameters: ParameterSet,
                             using rng: inout SeededGenerator) throws -> TaskGradient {
        try check(task)
        let steps = configuration.innerSteps
        let outputs: Tensor, queryLoss: Tensor, metaGradient: ParameterSet
        if configuration.firstOrder {
            // Each adapted point is a fresh leaf: nothing of the inner loop is
            // recorded beyond what one support gradient needs, and the
            // gradient at the last leaf is the FOMAML meta-gradient.
            let adapted = try adaptWithoutGraph(parameters, on: task, steps: steps).requiringGradient()
            outputs = network.apply(task.queryInputs, parameters: adapted)
            queryLoss = try TaskLoss.loss(outputs: outputs, targets: task.queryTargets)
            metaGradient = gradients(of: queryLoss, with: adapted)
        } else {
            let theta = parameters.requiringGradient()
            var fast = theta
            for _ in 0..<steps {
                let supportLoss = try TaskLoss.loss(outputs: network.apply(task.supportInputs, parameters: fast),
                                                    targets: task.supportTargets)
                fast = step(fast, supportLoss: supportLoss, createGraph: true)
            }
            outputs = network.apply(task.queryInputs, parameters: fast)
            queryLoss = try TaskLoss.loss(outputs: outputs, targets: task.queryTargets)
            metaGradient = gradients(of: queryLoss, with: theta)
        }
        return TaskGradient(gradients: metaGradient, loss: Double(queryLoss.scalar),
                            metric: try TaskMetrics.metric(outputs: outputs, targets: task.queryTargets))
    }

    /// Adapts on the support set with `evaluationInnerSteps` steps and returns
    /// the query outputs (logits or values). Records no graph beyond each
    /// step's support gradient.
    public func predict(task: TaskData, parameters: ParameterSet, using rng: inout SeededGenerator) throws -> Tensor {
        try check(task)
        let adapted = try adaptWithoutGraph(parameters, on: task, steps: configuration.evaluationInnerSteps)
        return withoutGradient { network.apply(task.queryInputs, parameters: adapted) }
    }

    /// `parameters` after `steps` SGD steps of size `innerLearningRate` on
    /// the task's support loss, as constants (no graph). Checks the task.
    public func adapt(_ parameters: ParameterSet, to task: TaskData, steps: Int) throws -> ParameterSet {
        try check(task)
        return try adaptWithoutGraph(parameters, on: task, steps: steps)
    }

    /// The inner loop without differentiating through it: each step records
    /// only the support forward pass of fresh leaves, then updates under
    /// `withoutGradient`.
    func adaptWithoutGraph(_ parameters: ParameterSet, on task: TaskData, steps: Int) throws -> ParameterSet {
        var fast = parameters.detached()
        for _ in 0..<steps {
            let leaves = fast.mapTensors { name, w in adaptedNames?.contains(name) == false ? w : w.requiringGradient() }
            let supportLoss = try TaskLoss.loss(outputs: network.apply(task.supportInputs, parameters: leaves),
                                                targets: task.supportTargets)
            fast = withoutGradient { step(leaves, supportLoss: supportLoss, createGraph: false) }
        }
        return fast
    }

    /// One inner SGD step of `parameters` on `supportLoss`, over the adapted
    /// parameters only (the others are returned as they are); the gradient
    /// graph is kept when `createGraph` (second order).
    func step(_ parameters: ParameterSet, supportLoss: Tensor, createGraph: Bool) -> ParameterSet {
        let rate = configuration.innerLearningRate
        guard let adaptedNames else {
            let g = gradients(of: supportLoss, with: parameters, createGraph: createGraph)
            return parameters.combined(with: g) { _, w, gw in w - gw.scaled(by: rate) }
        }
        let adapted = parameters.subset { adaptedNames.contains($0) }
        let g = gradients(of: supportLoss, with: adapted, createGraph: createGraph)
        return parameters.replacing(with: adapted.combined(with: g) { _, w, gw in w - gw.scaled(by: rate) })
    }

    /// Throws `MAMLError.taskMismatch` unless the task's inputs and targets fit the network.
    func check(_ task: TaskData) throws {
        if let reason = task.mismatch(with: problem, outputs: network.head.outputs) {
            throw MAMLError.taskMismatch(algorithm: name, reason: reason)
        }
    }
}
