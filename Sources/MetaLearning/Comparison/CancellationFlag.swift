import Synchronization

/// A thread-safe "stop soon" flag shared between a signal handler and long
/// work: the `metalearn` CLI sets it on Ctrl-C (SIGINT), and training loops
/// and the comparison runner check it between steps, so they stop at a step
/// boundary with the last checkpoint written and valid.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    /// A flag that is not set.
    public init() {}

    /// Whether ``cancel()`` has been called.
    public var isCancelled: Bool { flag.load(ordering: .acquiring) }

    /// Sets the flag; safe to call from any thread, any number of times.
    public func cancel() { flag.store(true, ordering: .releasing) }
}
