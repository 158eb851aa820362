import Autograd
import MetaLearning

/// A fixed pool of synthetic tasks generated once (not timed), served in a
/// cycle: task `index` is `pool[index % count]`, whatever the seed. This is
/// the peer script's task pool: uniform random images in [0, 1) (its
/// `torch.rand`), class-major labels `0,0,..,1,1,..` for the support and
/// query sets, 64 tasks (twice the meta-batch).
///
/// ```swift
/// let pool = try TaskPool(count: 64, seed: 1234)
/// let task = try pool.task(at: 70, seed: 0)   // the same as pool.task(at: 6, seed: 0)
/// ```
struct TaskPool: TaskDistribution {
    /// The generated tasks.
    let tasks: [TaskData]

    /// `count` tasks of `Workload.ways` ways, `Workload.shots` shots and
    /// `Workload.queries` queries per class, images `Workload.imageShape`,
    /// pixels drawn from `SeededGenerator(seed: seed)`.
    init(count: Int, seed: UInt64) throws {
        guard count >= 1 else { throw BenchError.invalidOption("task pool size must be at least 1, got \(count)") }
        let ways = Workload.ways, shots = Workload.shots, queries = Workload.queries
        let shape = Workload.imageShape
        let size = shape.reduce(1, *)
        var rng = SeededGenerator(seed: seed)
        func images(_ n: Int) -> Tensor {
            var values = [Float](repeating: 0, count: n * size)
            for i in values.indices { values[i] = rng.nextUnitFloat() }
            return Tensor(shape: [n] + shape, scalars: values)
        }
        func labels(perClass: Int) -> [Int32] {
            (0..<ways).flatMap { k in [Int32](repeating: Int32(k), count: perClass) }
        }
        var tasks: [TaskData] = []
        tasks.reserveCapacity(count)
        for _ in 0..<count {
            let support = images(ways * shots)
            let query = images(ways * queries)
            tasks.append(try TaskData(supportInputs: support, supportTargets: .classes(labels(perClass: shots)),
                                      queryInputs: query, queryTargets: .classes(labels(perClass: queries)),
                                      ways: ways, classes: (0..<ways).map { Int32($0) }))
        }
        self.tasks = tasks
    }

    var problem: ProblemSpec {
        .classification(ways: Workload.ways, channels: Workload.imageShape[0], height: Workload.imageShape[1],
                        width: Workload.imageShape[2], trainingClasses: Workload.ways)
    }

    func task(at index: Int, seed: UInt64) throws -> TaskData {
        tasks[((index % tasks.count) + tasks.count) % tasks.count]
    }

    var taskCount: Int? { tasks.count }
}
