/// One algorithm's line in a comparison table, pooled over its seeds.
public struct ComparisonRow: Sendable, Equatable, Codable {
    /// The algorithm's registry name.
    public var algorithm: String
    /// Mean of the evaluation metric over all (seed, episode) pairs with its
    /// confidence interval (see ``PooledEstimate``).
    public var estimate: PooledEstimate
    /// The metric's mean over episodes for each seed, in seed order.
    public var perSeedMeans: [Double]
    /// Paired difference `this - best` over the shared episodes, with its
    /// confidence interval; `nil` for the best algorithm itself.
    public var differenceToBest: PooledEstimate?
    /// Mean wall-clock training seconds per seed.
    public var trainingSeconds: Double
    /// Mean wall-clock evaluation seconds per seed.
    public var evaluationSeconds: Double
    /// The largest peak resident memory over the seeds, in bytes.
    public var peakMemoryBytes: Int
    /// Meta-training steps of each run (the same for every seed).
    public var steps: Int

    /// A row from its parts.
    public init(algorithm: String, estimate: PooledEstimate, perSeedMeans: [Double],
                differenceToBest: PooledEstimate?, trainingSeconds: Double, evaluationSeconds: Double,
                peakMemoryBytes: Int, steps: Int) {
        self.algorithm = algorithm
        self.estimate = estimate
        self.perSeedMeans = perSeedMeans
        self.differenceToBest = differenceToBest
        self.trainingSeconds = trainingSeconds
        self.evaluationSeconds = evaluationSeconds
        self.peakMemoryBytes = peakMemoryBytes
        self.steps = steps
    }
}
