import Dispatch

/// Runs the parts of one large kernel (a convolution, batch norm, max
/// pooling) on several threads, for work that is a single task: a ProtoNet
/// episode, one meta-test adaptation. A meta-batch already keeps every core
/// busy with one task per worker, so this is off (width 1) by default and
/// switched on for a scope with `withWidth(_:_:)`: `MetaTrainer` and
/// `Evaluator` do so when they have fewer tasks than threads.
///
/// **Results never depend on the width.** How a kernel is split is decided
/// by its shapes alone (`parts(multiplyAdds:items:)`, `parts(elements:items:)`), never by the width: a wide
/// convolution GEMM is always cut into the same column or row blocks, and
/// width 1 runs those same blocks one after the other. Each part writes its
/// own disjoint slice of the output and no reduction crosses parts, so the
/// arithmetic is identical, bit for bit, whichever thread runs a part.
///
/// The width is a task-local value (thread-local outside Swift tasks). The
/// threads that run parts do not inherit it, so a kernel called inside a
/// part runs its own parts serially: no nested fan-out. OpenBLAS stays at
/// one thread per call while parts run (see `BLASConfiguration`).
public enum IntraOpParallelism {
    @TaskLocal static var width = 1

    /// The number of threads kernels may use in the current scope (1 = serial).
    public static var currentWidth: Int { width }

    /// Runs `body` with kernels allowed to use `width` threads.
    public static func withWidth<R>(_ width: Int, _ body: () throws -> R) rethrows -> R {
        try $width.withValue(Swift.max(1, width)) { try body() }
    }

    /// Parts a GEMM-based kernel of `multiplyAdds` work over `items` (images,
    /// output rows) is cut into: `maximumParts`, or 1 when the work is too
    /// small to pay for a hand-off to another thread or there is one item.
    static func parts(multiplyAdds: Int, items: Int) -> Int {
        items >= 2 && multiplyAdds >= minimumMultiplyAdds ? Swift.min(maximumParts, items) : 1
    }

    /// Parts a memory pass over `elements` values in `items` independent
    /// slices (channels, planes) is cut into.
    static func parts(elements: Int, items: Int) -> Int {
        items >= 2 && elements >= minimumElements ? Swift.min(maximumParts, items) : 1
    }

    /// The number of parts large kernels are cut into (this machine has 2 cores).
    static let maximumParts = 2
    /// The least GEMM work worth splitting: about 40 microseconds on one core.
    static let minimumMultiplyAdds = 4 << 20
    /// The least elements of a memory pass worth splitting.
    static let minimumElements = 1 << 16

    /// The `part`-th of `parts` contiguous, nearly equal ranges of `0..<count`.
    @inline(__always)
    static func range(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
        (count * part / parts)..<(count * (part + 1) / parts)
    }

    /// Runs `body(range)` for each of the `parts` ranges of `0..<count`
    /// (see `range(_:of:count:)`), as `run(parts:_:)` does.
    static func forEachRange(of count: Int, parts: Int, _ body: (Range<Int>) -> Void) {
        run(parts: parts) { body(range($0, of: parts, count: count)) }
    }

    /// Runs `body(part)` for `part` in `0..<parts`: concurrently when the
    /// current width allows, else in order on the calling thread. Parts must
    /// write disjoint memory.
    static func run(parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 { body(0); return }
        if width <= 1 {
            for part in 0..<parts { body(part) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let shared = UncheckedBody(run: escapable)
            DispatchQueue.concurrentPerform(iterations: parts) { shared.run($0) }
        }
    }

    /// A part's body, shared with the threads that run the parts. The caller
    /// guarantees the parts touch disjoint memory and that `run` returns only
    /// after all of them finished (`concurrentPerform` waits).
    private struct UncheckedBody: @unchecked Sendable {
        let run: (Int) -> Void
    }
}
