/// The six side-by-side workloads of the learn2learn comparison, named and
/// shaped exactly as in the peer script (`bench_peer.py`): synthetic 1x28x28
/// images, 5-way 1-shot tasks with 15 queries per class, meta-batch 32, inner
/// step size 0.4, Adam(1e-3) for the meta-parameters.
///
/// ```swift
/// let w = try Workload(named: "a_maml_so_1step")
/// print(w.kind, w.innerSteps, w.tasksPerIteration)   // metaTraining(algorithm: "maml") 1 32
/// ```
struct Workload: Sendable, Equatable {
    /// What one timed iteration does.
    enum Kind: Sendable, Equatable {
        /// One `MetaTrainer.step` with the registered learner `algorithm`
        /// (`"maml"`, `"fomaml"`, `"protonet"`).
        case metaTraining(algorithm: String)
        /// Meta-test: per task, the MAML learner adapts on the support set
        /// (first order), predicts the queries and scores their accuracy
        /// (`Learner.evaluate`). Tasks go through `Evaluator`, which adapts
        /// as many tasks at once as it has threads, as `metalearn eval`
        /// does; throughput is counted in tasks, like the peer's.
        case metaTest
    }

    /// The peer's name (`a_maml_so_1step`, ...).
    let name: String
    let kind: Kind
    /// Inner SGD steps (training) or adaptation steps (meta-test); 0 for ProtoNet.
    let innerSteps: Int
    /// Tasks per iteration (the meta-batch for MAML, 1 otherwise).
    let tasksPerIteration: Int
    /// One line for tables.
    let summary: String

    /// Classes per task.
    static let ways = 5
    /// Support images per class.
    static let shots = 1
    /// Query images per class.
    static let queries = 15
    /// Tasks per MAML meta-step.
    static let metaBatchSize = 32
    /// The inner SGD step size.
    static let innerLearningRate = 0.4
    /// Adam's step size for the meta-parameters.
    static let outerLearningRate = 1e-3
    /// Meta-test tasks handed to `Evaluator` per timed call (each counts as
    /// one iteration, so rates stay in tasks/s).
    static let metaTestTasksPerCall = 16
    /// Image shape (channels, height, width).
    static let imageShape = [1, 28, 28]

    /// The workloads, in the peer's order.
    static let all: [Workload] = [
        Workload(name: "a_maml_so_1step", kind: .metaTraining(algorithm: "maml"), innerSteps: 1,
                 tasksPerIteration: metaBatchSize, summary: "MAML 2nd-order 5w1s15q MB32 1 step lr0.4 Adam1e-3"),
        Workload(name: "b_fomaml_1step", kind: .metaTraining(algorithm: "fomaml"), innerSteps: 1,
                 tasksPerIteration: metaBatchSize, summary: "FOMAML 5w1s15q MB32 1 step"),
        Workload(name: "c_maml_so_5step", kind: .metaTraining(algorithm: "maml"), innerSteps: 5,
                 tasksPerIteration: metaBatchSize, summary: "MAML 2nd-order 5w1s15q MB32 5 steps"),
        Workload(name: "c2_fomaml_5step", kind: .metaTraining(algorithm: "fomaml"), innerSteps: 5,
                 tasksPerIteration: metaBatchSize, summary: "FOMAML 5w1s15q MB32 5 steps"),
        Workload(name: "d_protonet", kind: .metaTraining(algorithm: "protonet"), innerSteps: 0,
                 tasksPerIteration: 1, summary: "ProtoNet 5w1s15q Conv4(maxpool) 1 episode/step Adam1e-3"),
        Workload(name: "e_metatest_adapt10", kind: .metaTest, innerSteps: 10,
                 tasksPerIteration: 1,
                 summary: "meta-test: 10 SGD steps on 5 support + predict 75 query (first order), via Evaluator"),
    ]

    /// The workload called `name`; throws `BenchError.unknownWorkload` naming the choices.
    init(named name: String) throws {
        guard let found = Self.all.first(where: { $0.name == name }) else {
            throw BenchError.unknownWorkload(name, known: Self.all.map(\.name))
        }
        self = found
    }

    private init(name: String, kind: Kind, innerSteps: Int, tasksPerIteration: Int, summary: String) {
        self.name = name
        self.kind = kind
        self.innerSteps = innerSteps
        self.tasksPerIteration = tasksPerIteration
        self.summary = summary
    }

    /// Iterations one timed call covers: `metaTestTasksPerCall` for meta-test
    /// (unless `oneTaskAtATime`), 1 otherwise.
    func iterationsPerCall(oneTaskAtATime: Bool) -> Int {
        kind == .metaTest && !oneTaskAtATime ? Self.metaTestTasksPerCall : 1
    }

    /// The registry options of the workload's learner.
    var learnerOptions: [String: String] {
        switch kind {
        case .metaTraining(let algorithm) where algorithm == "protonet":
            return ["backbone": "conv4-protonet"]
        case .metaTraining:
            return ["inner-lr": "\(Self.innerLearningRate)", "inner-steps": "\(innerSteps)"]
        case .metaTest:
            return ["inner-lr": "\(Self.innerLearningRate)", "eval-inner-steps": "\(innerSteps)"]
        }
    }

    /// The registered algorithm the workload runs.
    var algorithm: String {
        switch kind {
        case .metaTraining(let algorithm): return algorithm
        case .metaTest: return "maml"   // predict adapts without a graph either way
        }
    }

    /// `"meta-it/s"`, `"episodes/s"` or `"tasks/s"`, as the peer labels its throughput.
    var unit: String {
        switch kind {
        case .metaTraining(let algorithm): return algorithm == "protonet" ? "episodes/s" : "meta-it/s"
        case .metaTest: return "tasks/s"
        }
    }
}
