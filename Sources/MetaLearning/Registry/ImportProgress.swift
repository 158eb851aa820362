/// Progress of a dataset import, reported to a callback so the CLI can show
/// it: `completed` of `total` units (files, images) of the named stage.
public struct ImportProgress: Sendable, Equatable {
    /// The callback type importers receive.
    public typealias Handler = @Sendable (ImportProgress) -> Void

    /// What is being done, such as `"decoding images_background.zip"`.
    public var stage: String
    /// Units done so far.
    public var completed: Int
    /// Units in this stage (0 when unknown).
    public var total: Int

    public init(stage: String, completed: Int, total: Int) {
        self.stage = stage
        self.completed = completed
        self.total = total
    }

    /// `completed / total`, or `nil` when the total is unknown.
    public var fraction: Double? { total > 0 ? Double(completed) / Double(total) : nil }
}
