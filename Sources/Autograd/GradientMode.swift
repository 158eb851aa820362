/// Per-thread (and per-task) switch for graph recording.
///
/// The flag is a task-local value: inside a Swift task it is inherited by child
/// tasks, and outside any task the runtime keeps it in thread-local storage, so
/// `withoutGradient` on one thread never affects another. There is no global
/// mutable state.
public enum GradientMode {
    @TaskLocal static var recordingDisabled = false

    /// True when ops executed on this thread/task record a graph (the default).
    public static var isRecording: Bool { !recordingDisabled }

    /// Runs `body` with recording switched on or off, restoring the previous mode afterwards.
    public static func withRecording<R>(_ enabled: Bool, _ body: () throws -> R) rethrows -> R {
        try $recordingDisabled.withValue(!enabled) { try body() }
    }
}

/// Runs `body` without recording a graph (evaluation, optimiser updates).
///
/// Tensors computed inside have no graph node, even when their inputs require
/// gradient. The scope is per thread (per task); it nests.
///
/// A loss computed inside has no graph, so `gradients(of:with:)` of it returns
/// zeros: run test-time adaptation (e.g. MAML's inner loop at evaluation) outside
/// this scope, with `createGraph: false`, and only the final predictions inside.
public func withoutGradient<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$recordingDisabled.withValue(true) { try body() }
}
