import Autograd
import BuiltinPlugins
import Layers
import MetaLearning
import Testing

/// Fixtures shared by the MAML, Meta-SGD and ANIL tests (namespaced so they
/// cannot clash with other algorithm tests in this target).
enum GradientAlgorithmTestSupport {
    /// A smooth MLP backbone (tanh instead of ReLU), so that post-adaptation
    /// losses are differentiable everywhere and finite differences need no
    /// kink handling. Parameters `t1.weight`, `t1.bias`, ...
    struct TanhMLP: Model {
        var sizes: [Int]
        var layers: [Linear] {
            (1..<sizes.count).map { Linear(inputs: sizes[$0 - 1], outputs: sizes[$0], name: "t\($0)") }
        }
        var parameterNames: [String] { layers.flatMap(\.parameterNames) }

        func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
            var pairs: [(String, Tensor)] = []
            for layer in layers {
                let p = layer.initialParameters(using: &rng)
                pairs += zip(p.names, p.tensors).map { ($0, $1) }
            }
            return ParameterSet(pairs)
        }

        func apply(_ input: Tensor, parameters: ParameterSet) -> Tensor {
            var x = input
            for layer in layers { x = layer.apply(x, parameters: parameters).tanh() }
            return x
        }
    }

    /// A smooth convolutional backbone for gradient checks: two blocks of 3x3 convolution (stride 2,
    /// padding 1, bias), batch normalisation with batch statistics and tanh, then the spatial mean —
    /// MAML's Conv4 block structure with a smooth activation.
    struct TanhConvNet: Model {
        var filters: Int
        var parameterNames: [String] {
            (1...2).flatMap { ["c\($0).weight", "c\($0).bias", "n\($0).scale", "n\($0).offset"] }
        }
        var normalizationParameterNames: [String] { (1...2).flatMap { ["n\($0).scale", "n\($0).offset"] } }

        func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
            var pairs: [(String, Tensor)] = []
            for block in 1...2 {
                let cin = block == 1 ? 1 : filters
                pairs.append(("c\(block).weight", Initializer.kaimingUniform(shape: [filters, cin, 3, 3], fanIn: cin * 9, using: &rng)))
                pairs.append(("c\(block).bias", Initializer.bias(count: filters, fanIn: cin * 9, using: &rng)))
                pairs.append(("n\(block).scale", Tensor.randomUniform(shape: [filters], low: 0.8, high: 1.2, using: &rng)))
                pairs.append(("n\(block).offset", Tensor.randomUniform(shape: [filters], low: -0.1, high: 0.1, using: &rng)))
            }
            return ParameterSet(pairs)
        }

        func apply(_ input: Tensor, parameters p: ParameterSet) -> Tensor {
            var x = input
            for block in 1...2 {
                x = conv2d(x, weight: p["c\(block).weight"]!, bias: p["c\(block).bias"]!, stride: 2, padding: 1)
                x = batchNorm(x, scale: p["n\(block).scale"]!, offset: p["n\(block).offset"]!).tanh()
            }
            return x.mean(axes: [2, 3])
        }
    }

    /// `TanhConvNet` (3 filters) + Linear(3 -> ways), for 1-channel images.
    static func smoothConvNetwork(ways: Int = 2) -> Network {
        Network(backbone: TanhConvNet(filters: 3), head: Linear(inputs: 3, outputs: ways))
    }

    /// Regression problem `1 -> 1`.
    static let sinusoidProblem = ProblemSpec.regression(inputDimension: 1, outputDimension: 1)

    /// A smooth `1 -> 8 -> 8 -> 1` network for gradient checks.
    static func smoothRegressionNetwork() -> Network {
        Network(backbone: TanhMLP(sizes: [1, 8, 8]), head: Linear(inputs: 8, outputs: 1))
    }

    /// MAML's sinusoid tasks, through the registry (the test target does not link the dataset plugin directly).
    static func sinusoidTasks(shots: Int = 10, queries: Int = 10) throws -> any TaskDistribution {
        try BuiltinPlugins.makeRegistry().dataset(named: "sinusoid")
            .makeTasks(options: ["shots": "\(shots)", "queries": "\(queries)"], seed: 0)
    }

    /// A fixed regression task with modest amplitude (sinusoid task 3 of seed 7, scaled to amplitude <= 1.5).
    static func smallRegressionTask() throws -> TaskData {
        let task = try sinusoidTasks(shots: 5, queries: 6).task(at: 3, seed: 7)
        let s = try task.supportTargets.requireValues("fixture"), q = try task.queryTargets.requireValues("fixture")
        let peak = (s.scalars + q.scalars).map { Swift.abs($0) }.max()!
        let factor = min(1, 1.5 / peak)
        return try TaskData(supportInputs: task.supportInputs.scaled(by: 0.4), supportValues: s.scaled(by: factor),
                            queryInputs: task.queryInputs.scaled(by: 0.4), queryValues: q.scaled(by: factor))
    }

    /// A small Conv4 (4 filters per block) + Linear(4 -> 2) for 1x16x16 images: MAML's architecture, shrunk.
    static func smallConvNetwork(ways: Int = 2, filters: Int = 4) -> Network {
        Network(backbone: Conv4(variant: .maml, inputChannels: 1, hiddenChannels: filters),
                head: Linear(inputs: filters, outputs: ways))
    }

    /// The parameters perturbed at one coordinate.
    static func perturbed(_ p: ParameterSet, tensor k: Int, element j: Int, by delta: Float) -> ParameterSet {
        var values = p.tensors[k].scalars
        values[j] += delta
        var copy = p
        copy[p.names[k]] = Tensor(shape: p.tensors[k].shape, scalars: values)
        return copy
    }

    /// The result of comparing an analytic gradient with central differences.
    struct FiniteDifferenceReport: CustomStringConvertible {
        /// The largest |analytic − numeric| over the checked coordinates.
        var worstError: Double
        /// The largest |analytic| entry: errors are judged relative to it.
        var scale: Double
        /// The largest |other − numeric| for a second gradient (e.g. first order), if given.
        var worstOtherError: Double
        /// Coordinates skipped because the function is not smooth there.
        var skipped: Int
        var checked: Int

        var description: String {
            "worst error \(worstError), scale \(scale), other \(worstOtherError), checked \(checked), skipped \(skipped)"
        }
    }

    /// Compares `analytic` (and optionally `other`) with central differences of `value` at `parameters`
    /// over the tensors named in `names` (all when `nil`). With `skipKinks`, coordinates whose one-sided
    /// differences disagree by more than a quarter of the gradient scale (a ReLU mask flipped between
    /// the two sides) are skipped and counted.
    static func compare(_ analytic: ParameterSet, other: ParameterSet? = nil, at parameters: ParameterSet,
                        names: Set<String>? = nil, epsilon: Float, skipKinks: Bool = false,
                        value: (ParameterSet) throws -> Double) rethrows -> FiniteDifferenceReport {
        let scale = analytic.tensors.flatMap(\.scalars).map { Double(Swift.abs($0)) }.max() ?? 0
        let center = try value(parameters)
        var report = FiniteDifferenceReport(worstError: 0, scale: scale, worstOtherError: 0, skipped: 0, checked: 0)
        for k in 0..<parameters.count where names?.contains(parameters.names[k]) ?? true {
            let exact = analytic[parameters.names[k]]!.scalars
            let alternative = other?[parameters.names[k]]?.scalars
            for j in 0..<parameters.tensors[k].count {
                let plus = try value(perturbed(parameters, tensor: k, element: j, by: epsilon))
                let minus = try value(perturbed(parameters, tensor: k, element: j, by: -epsilon))
                if skipKinks, Swift.abs((plus - center) - (center - minus)) / Double(epsilon) > 0.25 * scale {
                    report.skipped += 1
                    continue
                }
                report.checked += 1
                let numeric = (plus - minus) / (2 * Double(epsilon))
                report.worstError = max(report.worstError, Swift.abs(Double(exact[j]) - numeric))
                if let alternative {
                    report.worstOtherError = max(report.worstOtherError, Swift.abs(Double(alternative[j]) - numeric))
                }
            }
        }
        return report
    }

    /// Cross-entropy or mean squared error of `outputs` against a set's targets.
    static func loss(_ outputs: Tensor, _ targets: Targets) -> Tensor {
        switch targets {
        case .classes(let labels): return crossEntropy(logits: outputs, labels: labels)
        case .values(let values): return meanSquaredError(outputs, values)
        }
    }

    /// Every value of every tensor, for bit-identity checks.
    static func flat(_ p: ParameterSet) -> [Float] { p.tensors.flatMap(\.scalars) }

    /// Trains, saves the state as a checkpoint into an `InMemoryStore`, reads it back, and
    /// returns the trained state and the restored one (resumed through the trainer's checks).
    static func roundTrip(_ trainer: MetaTrainer, steps: Int) throws -> (trained: TrainingState, restored: TrainingState) {
        let trained = try trainer.train(trainer.initialState(), until: steps)
        let store = InMemoryStore()
        try store.writeCheckpoint(trained.checkpoint(optimizerName: trainer.optimizer.name,
                                                     configJSON: "{\"algorithm\": \"\(trainer.learner.name)\"}",
                                                     softwareVersion: "test"), to: "run/checkpoint")
        let restored = try trainer.resume(from: store.readCheckpoint(at: "run/checkpoint"))
        return (trained, restored)
    }

    /// Query predictions of `learner` on tasks `indices` (each with its learner stream).
    static func predictions(_ learner: any Learner, _ parameters: ParameterSet, on tasks: any TaskDistribution,
                            indices: Range<Int>) throws -> [[Float]] {
        try indices.map { i in
            var rng = RandomStreams(seed: 1).learner(task: i)
            return try learner.predict(task: tasks.task(at: i, seed: 99), parameters: parameters, using: &rng).scalars
        }
    }
}
