import Autograd
import Dispatch
import Synchronization

/// Runs `count` independent jobs on up to `threads` workers with a static
/// assignment (worker `w` runs jobs `w, w + threads, ...`) and returns the
/// results in job order, so the outcome never depends on scheduling. The
/// first error in job order is rethrown. The caller's `ConvolutionAlgorithm`
/// and `VectorInstructions` limit carry over to the workers (a task-local
/// value does not cross `concurrentPerform` by itself).
///
/// OpenBLAS's thread count is process-global, so it is set at the edge, not
/// here: the `metalearn` and `metalearn-bench` executables set it to one
/// thread per call when tasks run on several workers (two concurrent tasks
/// with two BLAS threads each lose about half their combined throughput),
/// and `make test` runs with `OPENBLAS_NUM_THREADS=1`. Changing it here, while
/// other threads may be inside a BLAS call, races.
enum ParallelTasks {
    /// The threads each job's kernels may use (`IntraOpParallelism`): the
    /// workers left idle when there are fewer jobs than threads (a ProtoNet
    /// step is one episode), shared among the jobs. Results do not depend on it.
    static func kernelWidth(count: Int, threads: Int) -> Int {
        max(1, threads / max(1, min(threads, count)))
    }

    static func map<T: Sendable>(count: Int, threads: Int,
                                 _ job: @Sendable (Int) throws -> T) throws -> [T] {
        precondition(threads >= 1, "ParallelTasks: threads must be at least 1")
        if count == 0 { return [] }
        let workers = min(threads, count)
        if workers == 1 { return try (0..<count).map(job) }
        let slots = Mutex([Result<T, any Error>?](repeating: nil, count: count))
        let (algorithm, vectorLimit) = (ConvolutionAlgorithm.inForce, VectorInstructions.currentLimit)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            ConvolutionAlgorithm.with(algorithm) {
                VectorInstructions.limited(to: vectorLimit) {
                    for index in stride(from: worker, to: count, by: workers) {
                        let result = Result { try job(index) }
                        slots.withLock { $0[index] = result }
                    }
                }
            }
        }
        return try slots.withLock { $0 }.map { try $0!.get() }
    }
}
