/// What an algorithm factory receives: the problem the learner must solve
/// (input shape, ways or output dimension) and its checked options.
public struct AlgorithmContext: Sendable {
    /// The problem, from the task distribution the learner will see.
    public var problem: ProblemSpec
    /// The algorithm's options (user values over declared defaults).
    public var options: Options

    public init(problem: ProblemSpec, options: Options) {
        self.problem = problem
        self.options = options
    }
}
