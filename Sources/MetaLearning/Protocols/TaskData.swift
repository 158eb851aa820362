import Autograd

/// One task, materialised: support and query inputs as tensors and their
/// targets. This is what a `Learner` adapts on and predicts for.
///
/// Inputs are `[S, C, H, W]` (images) or `[S, D]` (vectors). Classification
/// targets are episode labels `0..<ways`; `classes[k]` is the global class id
/// (index into the dataset's classes) that episode label `k` stands for, so a
/// pre-training baseline can use global labels. Regression tasks have
/// `ways == 0` and `classes == []`.
///
/// ```swift
/// let task = try tasks.task(at: 0, seed: 1)
/// if let labels = task.supportTargets.labels { print(task.ways, labels) }
/// ```
public struct TaskData: Sendable {
    /// Support (training) inputs of the task.
    public var supportInputs: Tensor
    /// Support targets.
    public var supportTargets: Targets
    /// Query (test) inputs of the task.
    public var queryInputs: Tensor
    /// Query targets.
    public var queryTargets: Targets
    /// The number of classes in the task (0 for regression).
    public var ways: Int
    /// Global class id of each episode label `0..<ways`.
    public var classes: [Int32]

    /// Builds a task; checks that sample counts match and labels lie in `0..<ways`.
    public init(supportInputs: Tensor, supportTargets: Targets, queryInputs: Tensor, queryTargets: Targets,
                ways: Int, classes: [Int32]) throws {
        let sCount = supportInputs.shape.first ?? 0
        let qCount = queryInputs.shape.first ?? 0
        guard sCount == supportTargets.count else {
            throw TaskDataError.countMismatch("support set", inputs: sCount, targets: supportTargets.count)
        }
        guard qCount == queryTargets.count else {
            throw TaskDataError.countMismatch("query set", inputs: qCount, targets: queryTargets.count)
        }
        guard classes.count == ways else {
            throw TaskDataError.classMapMismatch("task", ways: ways, classes: classes.count)
        }
        for (name, targets) in [("support set", supportTargets), ("query set", queryTargets)] {
            if let labels = targets.labels, let bad = labels.first(where: { $0 < 0 || Int($0) >= ways }) {
                throw TaskDataError.labelOutOfRange(name, label: bad, ways: ways)
            }
        }
        self.supportInputs = supportInputs
        self.supportTargets = supportTargets
        self.queryInputs = queryInputs
        self.queryTargets = queryTargets
        self.ways = ways
        self.classes = classes
    }

    /// A regression task (`ways == 0`, no class map).
    public init(supportInputs: Tensor, supportValues: Tensor, queryInputs: Tensor, queryValues: Tensor) throws {
        try self.init(supportInputs: supportInputs, supportTargets: .values(supportValues),
                      queryInputs: queryInputs, queryTargets: .values(queryValues), ways: 0, classes: [])
    }

    /// Support-set size.
    public var supportCount: Int { supportInputs.shape.first ?? 0 }
    /// Query-set size.
    public var queryCount: Int { queryInputs.shape.first ?? 0 }

    /// Global class ids of the support samples (`classes[label]`), for
    /// baselines trained on all classes; `nil` for regression.
    public var supportGlobalLabels: [Int32]? { supportTargets.labels.map { $0.map { classes[Int($0)] } } }
    /// Global class ids of the query samples; `nil` for regression.
    public var queryGlobalLabels: [Int32]? { queryTargets.labels.map { $0.map { classes[Int($0)] } } }
}
