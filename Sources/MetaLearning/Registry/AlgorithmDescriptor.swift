/// Everything the registry knows about one algorithm: how to list it, cite
/// it, check its options and build a `Learner` for a problem.
public struct AlgorithmDescriptor: Sendable {
    /// Builds a learner; throws for semantically bad options or unsupported problems.
    public typealias Factory = @Sendable (AlgorithmContext) throws -> any Learner

    /// The name used on the command line and in result tables (`"maml"`).
    public var name: String
    /// One line for listings.
    public var summary: String
    /// The paper to cite (authors, year, title, venue).
    public var citation: String
    /// The declared options.
    public var options: [OptionSpec]
    /// The problem kinds the algorithm handles (ProtoNet: classification only).
    public var supportedProblems: Set<ProblemSpec.Kind>
    /// Builds a learner.
    public var factory: Factory

    public init(name: String, summary: String, citation: String, options: [OptionSpec] = [],
                supportedProblems: Set<ProblemSpec.Kind> = [.classification, .regression],
                factory: @escaping Factory) {
        self.name = name
        self.summary = summary
        self.citation = citation
        self.options = options
        self.supportedProblems = supportedProblems
        self.factory = factory
    }

    /// Checks `values` against the declared options and builds a learner for `problem`.
    public func makeLearner(problem: ProblemSpec, options values: [String: String] = [:]) throws -> any Learner {
        guard supportedProblems.contains(problem.kind) else {
            throw PluginRegistryError.unsupportedProblem(algorithm: name, problem: problem.kind)
        }
        let options = try Options(owner: "algorithm '\(name)'", specs: self.options, values: values)
        return try factory(AlgorithmContext(problem: problem, options: options))
    }
}
