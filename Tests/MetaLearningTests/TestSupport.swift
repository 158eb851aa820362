import Autograd
import Layers
import MetaLearning

/// Small fixtures shared by the MetaLearning tests.
enum Fixtures {
    /// 10 classes x 6 samples of 1x4x4 images; pixel values encode (class, sample, position)
    /// so tests can check which image landed where. Splits: train 0..<6, test 6..<10.
    static func tinyDataset(samplesPerClass: Int = 6) -> ImageDataset {
        var pixels: [UInt8] = []
        var labels: [Int32] = []
        for c in 0..<10 {
            for s in 0..<samplesPerClass {
                for k in 0..<16 { pixels.append(UInt8((c * 20 + s * 3 + k) % 256)) }
                labels.append(Int32(c))
            }
        }
        return ImageDataset(name: "tiny", channels: 1, height: 4, width: 4, pixels: pixels, labels: labels,
                            classNames: (0..<10).map { "class\($0)" },
                            splits: ["train": Array(0..<6), "test": Array(6..<10)])
    }
}

/// A minimal prototypical learner used only to exercise the trainer and the
/// evaluator: an MLP embedding, logits = -squared distance to the class means
/// of the support embeddings (Snell et al. 2017), gradient of the query loss.
struct PrototypeTestLearner: Learner {
    let embedding: MLP

    init(inputs: Int, hidden: Int = 16, outputs: Int = 8) {
        embedding = MLP(sizes: [inputs, hidden, outputs])
    }

    var name: String { "prototype-test" }

    func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
        embedding.initialParameters(using: &rng)
    }

    func logits(_ task: TaskData, _ parameters: ParameterSet) throws -> Tensor {
        let labels = try task.supportTargets.requireLabels("prototype-test")
        let support = embedding.apply(task.supportInputs, parameters: parameters)
        let query = embedding.apply(task.queryInputs, parameters: parameters)
        let oneHot = Tensor.oneHot(labels, classes: task.ways)
        let counts = oneHot.sum(axes: [0]).reshaped([task.ways, 1])
        let prototypes = oneHot.transposed().matmul(support) / counts
        return -pairwiseSquaredDistance(query, prototypes)
    }

    func taskGradient(for task: TaskData, parameters: ParameterSet,
                      using rng: inout SeededGenerator) throws -> TaskGradient {
        let labels = try task.queryTargets.requireLabels("prototype-test")
        let p = parameters.requiringGradient()
        let logits = try logits(task, p)
        let loss = crossEntropy(logits: logits, labels: labels)
        return TaskGradient(gradients: gradients(of: loss, with: p), loss: Double(loss.scalar),
                            metric: TaskMetrics.accuracy(logits: logits, labels: labels))
    }

    func predict(task: TaskData, parameters: ParameterSet, using rng: inout SeededGenerator) throws -> Tensor {
        try withoutGradient { try logits(task, parameters) }
    }
}

/// Plain regression on the query set (no adaptation), for sinusoid tests;
/// it draws one random number per task so learner streams are exercised.
struct RegressionTestLearner: Learner {
    let network = MLP(sizes: [1, 20, 1])
    var name: String { "regression-test" }

    func initialParameters(using rng: inout SeededGenerator) -> ParameterSet { network.initialParameters(using: &rng) }

    func taskGradient(for task: TaskData, parameters: ParameterSet,
                      using rng: inout SeededGenerator) throws -> TaskGradient {
        let targets = try task.queryTargets.requireValues("regression-test")
        let p = parameters.requiringGradient()
        let noise = Float(rng.nextUnitDouble()) * 1e-3
        let outputs = network.apply(task.queryInputs, parameters: p) + noise
        let loss = meanSquaredError(outputs, targets)
        return TaskGradient(gradients: gradients(of: loss, with: p), loss: Double(loss.scalar),
                            metric: Double(loss.scalar))
    }

    func predict(task: TaskData, parameters: ParameterSet, using rng: inout SeededGenerator) throws -> Tensor {
        withoutGradient { network.apply(task.queryInputs, parameters: parameters) }
    }
}

extension ParameterSet {
    /// All values of all tensors, for bit-identity checks.
    var flatValues: [Float] { tensors.flatMap(\.scalars) }
}

/// `RegressionTestLearner` with two buffers: `"tasks"` counts the tasks
/// seen (each task returns the stored count + 1) and `"last"` holds the
/// task's first query target. `extraBuffer` makes it return a buffer that
/// is not a parameter.
struct BufferTestLearner: Learner {
    let base = RegressionTestLearner()
    var extraBuffer = false
    var name: String { "buffer-test" }

    func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
        var p = base.initialParameters(using: &rng)
        p["tasks"] = Tensor(shape: [1], scalars: [0])
        p["last"] = Tensor(shape: [1], scalars: [0])
        return p
    }

    func weights(_ parameters: ParameterSet) -> ParameterSet {
        var w = parameters
        w["tasks"] = nil
        w["last"] = nil
        return w
    }

    func taskGradient(for task: TaskData, parameters: ParameterSet,
                      using rng: inout SeededGenerator) throws -> TaskGradient {
        let inner = try base.taskGradient(for: task, parameters: weights(parameters), using: &rng)
        var g = inner.gradients
        g["tasks"] = Tensor(zeros: [1])
        g["last"] = Tensor(zeros: [1])
        var buffers = ParameterSet([("tasks", parameters["tasks"]! + 1),
                                    ("last", Tensor(shape: [1], scalars: [task.queryTargets.values!.scalars[0]]))])
        if extraBuffer { buffers["unknown"] = Tensor(zeros: [2]) }
        return TaskGradient(gradients: g, loss: inner.loss, metric: inner.metric, buffers: buffers)
    }

    func predict(task: TaskData, parameters: ParameterSet, using rng: inout SeededGenerator) throws -> Tensor {
        try base.predict(task: task, parameters: weights(parameters), using: &rng)
    }
}
