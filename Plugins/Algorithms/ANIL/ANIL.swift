import Autograd
import Layers
import MetaLearning

/// ANIL, "Almost No Inner Loop" (Raghu, Raghu, Bengio & Vinyals 2020):
/// MAML whose inner loop adapts only the head `h` of the network; the body
/// `b` (the backbone) is shared by all tasks and learned only in the outer
/// loop. With body features `f_S = body(x_S; b)` and `f_Q = body(x_Q; b)`
/// computed once per task,
///
///     h'₀ = h,   h'ₖ₊₁ = h'ₖ − α ∇_h L(head(f_S; h'ₖ), y_S),
///
/// and the task's meta-gradient is `∇_(b,h) L(head(f_Q; h'ₙ), y_Q)`,
/// second order by default (the body gets gradient through `f_Q` and,
/// through the inner gradients, through `f_S`). With `firstOrder` the inner
/// gradients are constants and the body learns through `f_Q` only.
///
/// The head is `Network.head` (`"head.weight"`, `"head.bias"`); every other
/// parameter is body. Batch normalisation in the body uses the statistics
/// of the batch being forwarded (support or query set), as in MAML.
///
/// ```swift
/// let anil = try ANIL(problem: problem, network: NetworkArchitecture.auto.network(for: problem))
/// let adapted = try anil.adaptHead(params, to: task, steps: 3)    // only "head.*" change
/// ```
public struct ANIL: Learner {
    /// The inner-loop settings (MAML's, applied to the head only).
    public struct Configuration: Sendable, Equatable {
        /// Inner steps on the head per task during meta-training (at least 1).
        public var innerSteps: Int
        /// The inner step size `α`.
        public var innerLearningRate: Float
        /// Inner steps at evaluation.
        public var evaluationInnerSteps: Int
        /// Treat inner gradients as constants (first-order ANIL).
        public var firstOrder: Bool

        /// Defaults: MAML's Omniglot setting (1 step of 0.4, 3 at evaluation), second order.
        public init(innerSteps: Int = 1, innerLearningRate: Float = 0.4, evaluationInnerSteps: Int = 3,
                    firstOrder: Bool = false) {
            self.innerSteps = innerSteps
            self.innerLearningRate = innerLearningRate
            self.evaluationInnerSteps = evaluationInnerSteps
            self.firstOrder = firstOrder
        }
    }

    /// The option declarations.
    public static let options: [OptionSpec] = [
        NetworkArchitecture.option,
        .int("inner-steps", default: 1, help: "head SGD steps per task in meta-training"),
        .double("inner-lr", default: 0.4, help: "inner SGD step size alpha of the head"),
        .int("eval-inner-steps", default: 3, help: "head SGD steps at evaluation"),
        .bool("first-order", default: false, help: "treat inner gradients as constants (no second-order terms)"),
    ]

    /// The problem the network was built for.
    public let problem: ProblemSpec
    /// The model: `backbone` is the body, `head` is adapted per task.
    public let network: Network
    /// Inner-loop settings.
    public let configuration: Configuration

    /// `"anil"`.
    public var name: String { "anil" }

    /// Throws `ANILError.invalidOption` for fewer than one inner step, a
    /// negative evaluation step count or a non-positive inner learning rate.
    public init(problem: ProblemSpec, network: Network, configuration: Configuration = Configuration()) throws {
        guard configuration.innerSteps >= 1 else {
            throw ANILError.invalidOption(option: "inner-steps", value: "\(configuration.innerSteps)", requirement: "at least 1")
        }
        guard configuration.evaluationInnerSteps >= 0 else {
            throw ANILError.invalidOption(option: "eval-inner-steps", value: "\(configuration.evaluationInnerSteps)",
                                          requirement: "at least 0")
        }
        guard configuration.innerLearningRate > 0, configuration.innerLearningRate.isFinite else {
            throw ANILError.invalidOption(option: "inner-lr", value: "\(configuration.innerLearningRate)",
                                          requirement: "a positive finite number")
        }
        guard network.head.outputs == problem.outputDimension else {
            throw ANILError.taskMismatch(reason: "network head has \(network.head.outputs) outputs, "
                                         + "problem \(problem) needs \(problem.outputDimension)")
        }
        self.problem = problem
        self.network = network
        self.configuration = configuration
    }

    /// A learner from registry options.
    public init(context: AlgorithmContext) throws {
        let options = context.options
        let architecture = try NetworkArchitecture(option: options.string("backbone"))
        try self.init(problem: context.problem, network: architecture.network(for: context.problem),
                      configuration: Configuration(innerSteps: try options.int("inner-steps"),
                                                   innerLearningRate: Float(try options.double("inner-lr")),
                                                   evaluationInnerSteps: try options.int("eval-inner-steps"),
                                                   firstOrder: try options.bool("first-order")))
    }

    /// The network's initial parameters (PyTorch's default initialisation), drawn from `rng`.
    public func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
        network.initialParameters(using: &rng)
    }

    /// The meta-gradient (body and head) of the query loss after adapting the head.
    public func taskGradient(for task: TaskData, parameters: ParameterSet,
                             using rng: inout SeededGenerator) throws -> TaskGradient {
        try check(task)
        let all = parameters.requiringGradient()
        let head = network.split(all).head
        let queryFeatures = network.embed(task.queryInputs, parameters: all)
        let outputs: Tensor, queryLoss: Tensor, metaGradient: ParameterSet
        if configuration.firstOrder {
            // The support features only feed constant inner gradients: no graph needed.
            // The adapted head is a fresh leaf whose gradient stands for the head's (dh'/dh = I).
            let supportFeatures = withoutGradient { network.embed(task.supportInputs, parameters: all) }
            let fast = try adaptWithoutGraph(head.detached(), features: supportFeatures, targets: task.supportTargets,
                                         steps: configuration.innerSteps).requiringGradient()
            outputs = network.applyHead(queryFeatures, parameters: fast)
            queryLoss = try TaskLoss.loss(outputs: outputs, targets: task.queryTargets)
            metaGradient = gradients(of: queryLoss, with: all.mapTensors { name, t in fast[name] ?? t })
        } else {
            let supportFeatures = network.embed(task.supportInputs, parameters: all)
            let rate = configuration.innerLearningRate
            var fast = head
            for _ in 0..<configuration.innerSteps {
                let loss = try TaskLoss.loss(outputs: network.applyHead(supportFeatures, parameters: fast),
                                             targets: task.supportTargets)
                let g = gradients(of: loss, with: fast, createGraph: true)
                fast = fast.combined(with: g) { _, w, gw in w - gw.scaled(by: rate) }
            }
            outputs = network.applyHead(queryFeatures, parameters: fast)
            queryLoss = try TaskLoss.loss(outputs: outputs, targets: task.queryTargets)
            metaGradient = gradients(of: queryLoss, with: all)
        }
        return TaskGradient(gradients: metaGradient, loss: Double(queryLoss.scalar),
                            metric: try TaskMetrics.metric(outputs: outputs, targets: task.queryTargets))
    }

    /// Adapts the head with `evaluationInnerSteps` steps on the support
    /// features and returns the query outputs. The body runs once per set,
    /// without a graph.
    public func predict(task: TaskData, parameters: ParameterSet, using rng: inout SeededGenerator) throws -> Tensor {
        try check(task)
        let (supportFeatures, queryFeatures) = withoutGradient {
            (network.embed(task.supportInputs, parameters: parameters), network.embed(task.queryInputs, parameters: parameters))
        }
        let head = try adaptWithoutGraph(network.split(parameters).head.detached(), features: supportFeatures,
                                     targets: task.supportTargets, steps: configuration.evaluationInnerSteps)
        return withoutGradient { network.applyHead(queryFeatures, parameters: head) }
    }

    /// `parameters` with the head adapted by `steps` SGD steps on the task's
    /// support set (the body unchanged), as constants.
    public func adaptHead(_ parameters: ParameterSet, to task: TaskData, steps: Int) throws -> ParameterSet {
        try check(task)
        let (body, head) = network.split(parameters.detached())
        let features = withoutGradient { network.embed(task.supportInputs, parameters: parameters) }
        let adapted = try adaptWithoutGraph(head, features: features, targets: task.supportTargets, steps: steps)
        return network.merge(body: body, head: adapted)
    }

    /// Head SGD steps on fixed features; only each step's head gradient is recorded.
    func adaptWithoutGraph(_ head: ParameterSet, features: Tensor, targets: Targets, steps: Int) throws -> ParameterSet {
        let rate = configuration.innerLearningRate
        var fast = head
        for _ in 0..<steps {
            let leaves = fast.requiringGradient()
            let loss = try TaskLoss.loss(outputs: network.applyHead(features, parameters: leaves), targets: targets)
            let g = gradients(of: loss, with: leaves)
            fast = withoutGradient { fast.combined(with: g) { _, w, gw in w - gw.scaled(by: rate) } }
        }
        return fast
    }

    /// Throws `ANILError.taskMismatch` unless the task's inputs and targets fit the network.
    func check(_ task: TaskData) throws {
        if let reason = task.mismatch(with: problem, outputs: network.head.outputs) {
            throw ANILError.taskMismatch(reason: reason)
        }
    }
}
