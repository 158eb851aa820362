/// What a comparison's training step reports back for one run.
public struct TrainingOutcome: Sendable, Equatable {
    /// Meta-training steps completed (all of them unless interrupted).
    public var stepsCompleted: Int
    /// Training metrics by step, from the start of the run (including steps
    /// done before a resume).
    public var curve: TrainingCurve
    /// `false` when training stopped early on request; the run's checkpoint
    /// then holds the progress and a rerun resumes it.
    public var completed: Bool

    public init(stepsCompleted: Int, curve: TrainingCurve, completed: Bool) {
        self.stepsCompleted = stepsCompleted
        self.curve = curve
        self.completed = completed
    }
}
