/// Training metrics by step, as stored in a run record and drawn in the
/// training-curves plot: a `Codable` copy of a checkpoint's `MetricHistory`.
public struct TrainingCurve: Sendable, Equatable, Codable {
    /// Logged steps, increasing.
    public var steps: [Int]
    /// Metric name (`"loss"`, `"accuracy"`, ...) to one value per logged step;
    /// missing values are NaN (stored as `null` in JSON).
    public var columns: [String: [Double]]

    /// A curve from explicit steps and columns.
    public init(steps: [Int] = [], columns: [String: [Double]] = [:]) {
        self.steps = steps
        self.columns = columns
    }

    /// A copy of a metric history.
    public init(_ history: MetricHistory) {
        self.init(steps: history.steps, columns: history.columns)
    }

    /// `(step, value)` pairs of one metric with finite values only.
    public func points(_ metric: String) -> [(step: Int, value: Double)] {
        guard let values = columns[metric] else { return [] }
        return zip(steps, values).filter { $0.1.isFinite }.map { (step: $0.0, value: $0.1) }
    }

    private enum CodingKeys: String, CodingKey { case steps, columns }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        steps = try c.decode([Int].self, forKey: .steps)
        let raw = try c.decode([String: [Double?]].self, forKey: .columns)
        columns = raw.mapValues { $0.map { $0 ?? .nan } }
        for (name, values) in columns where values.count != steps.count {
            throw DecodingError.dataCorruptedError(
                forKey: .columns, in: c,
                debugDescription: "metric '\(name)' has \(values.count) values for \(steps.count) steps")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(steps, forKey: .steps)
        try c.encode(columns.mapValues { $0.map { $0.isFinite ? $0 : nil } }, forKey: .columns)
    }
}
