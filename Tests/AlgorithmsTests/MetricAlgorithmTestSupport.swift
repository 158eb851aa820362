import Autograd
import BuiltinPlugins
import Foundation
import Layers
import MetaLearning

/// Shared helpers of the ProtoNet, MatchingNet, Reptile, Baseline and NCA tests.
enum MetricAlgorithmTestSupport {
    /// A learner built through the registry, the way the CLI builds it.
    static func learner(_ name: String, problem: ProblemSpec, options: [String: String] = [:]) throws -> any Learner {
        try BuiltinPlugins.makeRegistry().algorithm(named: name).makeLearner(problem: problem, options: options)
    }

    /// A small hand-made classification task on vector inputs (`[n, features]`),
    /// with labels deliberately not sorted by class.
    static func vectorTask(ways: Int = 3, supportLabels: [Int32] = [2, 0, 1, 0, 2, 1],
                           queryLabels: [Int32] = [1, 2, 0, 0], features: Int = 4, seed: UInt64 = 7) throws -> TaskData {
        var rng = SeededGenerator(seed: seed)
        let support = Tensor.randomNormal(shape: [supportLabels.count, features], using: &rng)
        let query = Tensor.randomNormal(shape: [queryLabels.count, features], using: &rng)
        return try TaskData(supportInputs: support, supportTargets: .classes(supportLabels), queryInputs: query,
                            queryTargets: .classes(queryLabels), ways: ways,
                            classes: (0..<ways).map { Int32(10 + 3 * $0) })
    }

    /// Result of a finite-difference check: the worst ratio of error to
    /// allowed error (<= 1 passes) and where it occurred.
    struct GradientReport: CustomStringConvertible {
        var worstRatio = 0.0
        var worst = ""
        var checked = 0
        var description: String { "checked \(checked) entries, worst ratio \(worstRatio): \(worst)" }
    }

    /// Compares `analytic` (d loss / d parameters) with central differences
    /// of `loss` at up to `entriesPerTensor` entries of every parameter
    /// (evenly spread). Loss values are Float32 computations returned as
    /// Double; an entry passes when `|a - n| <= absTol + relTol·max(|a|, |n|)`.
    static func checkGradient(_ analytic: ParameterSet, at parameters: ParameterSet, entriesPerTensor: Int = 12,
                              eps: Float = 1e-3, absTol: Double = 1e-3, relTol: Double = 2e-2,
                              loss: (ParameterSet) throws -> Double) rethrows -> GradientReport {
        var report = GradientReport()
        for (k, name) in parameters.names.enumerated() {
            let tensor = parameters.tensors[k]
            let a = analytic[name]!.scalars
            let stride = max(1, tensor.count / entriesPerTensor)
            for j in Swift.stride(from: 0, to: tensor.count, by: stride) {
                func shifted(_ delta: Float) -> ParameterSet {
                    var values = tensor.scalars
                    values[j] += delta
                    var copy = parameters
                    copy[name] = Tensor(shape: tensor.shape, scalars: values)
                    return copy
                }
                let numeric = (try loss(shifted(eps)) - loss(shifted(-eps))) / (2 * Double(eps))
                let analyticValue = Double(a[j])
                let allowed = absTol + relTol * max(abs(analyticValue), abs(numeric))
                let ratio = abs(analyticValue - numeric) / allowed
                report.checked += 1
                if ratio > report.worstRatio || ratio.isNaN {
                    report.worstRatio = ratio.isNaN ? .infinity : ratio
                    report.worst = "\(name)[\(j)]: analytic \(analyticValue), numeric \(numeric)"
                }
            }
        }
        return report
    }

    /// Compares directional derivatives `Σ g·v` of `analytic` with central
    /// differences of `loss` along `directions` random unit directions `v`
    /// over all parameters at once, for networks with ReLU, max pooling and
    /// batch norm. Such a loss is only piecewise smooth and its pieces are
    /// tiny (a step of 1e-3 along a direction already crosses kinks of a
    /// narrow Conv4; measured: central differences approach the analytic
    /// value as the step shrinks to 3e-4, then Float32 rounding takes
    /// over), so each direction tries the steps in `steps` and passes if one
    /// of them agrees; a wrong gradient agrees at none.
    static func checkDirectionalDerivatives(_ analytic: ParameterSet, at parameters: ParameterSet, directions: Int = 4,
                                            steps: [Float] = [1e-3, 3e-4, 1e-4], absTol: Double = 2e-3,
                                            relTol: Double = 2e-2, seed: UInt64 = 11,
                                            loss: (ParameterSet) throws -> Double) rethrows -> GradientReport {
        var report = GradientReport()
        var rng = SeededGenerator(seed: seed)
        for d in 0..<directions {
            var v = parameters.tensors.map { Tensor.randomNormal(shape: $0.shape, using: &rng).scalars }
            let norm = v.joined().map { Double($0) * Double($0) }.reduce(0, +).squareRoot()
            v = v.map { $0.map { Float(Double($0) / norm) } }
            func shifted(_ step: Float) -> ParameterSet {
                var copy = parameters
                for (k, name) in parameters.names.enumerated() {
                    let t = parameters.tensors[k]
                    copy[name] = Tensor(shape: t.shape, scalars: zip(t.scalars, v[k]).map { $0 + step * $1 })
                }
                return copy
            }
            var analyticValue = 0.0
            for (k, name) in parameters.names.enumerated() {
                analyticValue += zip(analytic[name]!.scalars, v[k]).map { Double($0) * Double($1) }.reduce(0, +)
            }
            var best = Double.infinity, bestNumeric = 0.0
            for eps in steps {
                let numeric = (try loss(shifted(eps)) - loss(shifted(-eps))) / (2 * Double(eps))
                let allowed = absTol + relTol * max(abs(analyticValue), abs(numeric))
                let ratio = abs(analyticValue - numeric) / allowed
                if ratio < best { best = ratio; bestNumeric = numeric }
            }
            report.checked += 1
            if best > report.worstRatio || best.isNaN {
                report.worstRatio = best.isNaN ? .infinity : best
                report.worst = "direction \(d): analytic \(analyticValue), closest numeric \(bestNumeric)"
            }
        }
        return report
    }

    /// Saves `state` as a checkpoint in an `InMemoryStore`, reads it back and
    /// returns the restored state (what `metalearn evaluate` would load).
    static func roundTrip(_ state: TrainingState, optimizer: String) throws -> TrainingState {
        let store = InMemoryStore()
        try store.writeCheckpoint(state.checkpoint(optimizerName: optimizer, configJSON: "{}", softwareVersion: "test"),
                                  to: "run/checkpoint")
        return try TrainingState(checkpoint: store.readCheckpoint(at: "run/checkpoint"))
    }

    /// What a checkpoint must preserve: `learner` meta-trained for two steps on
    /// `tasks` (meta-batch 2, seed 6), that state saved and read back
    /// (`roundTrip`), and the predictions (`predictions`) of the trained, the
    /// restored and the initial parameters. The restored ones must equal the
    /// trained ones, and the initial ones differ (or training did nothing).
    static func checkpointPredictions(_ learner: any Learner, on tasks: any TaskDistribution,
                                      optimizer: any MetaOptimizer = Adam(learningRate: 0.005))
        throws -> (trained: [[Float]], restored: [[Float]], initial: [[Float]]) {
        let trainer = try MetaTrainer(learner: learner, optimizer: optimizer, tasks: tasks,
                                      configuration: .init(metaBatchSize: 2, seed: 6))
        let state = try trainer.train(trainer.initialState(), until: 2)
        let restored = try roundTrip(state, optimizer: optimizer.name)
        return (try predictions(learner, parameters: state.parameters, on: tasks),
                try predictions(learner, parameters: restored.parameters, on: tasks),
                try predictions(learner, parameters: trainer.initialState().parameters, on: tasks))
    }

    /// Held-out accuracy of algorithm `name` (MLP backbone) on synthetic 5-way
    /// 1-shot images of classes 30..<45, before and after 30 meta-training steps
    /// (Adam 0.005, meta-batch 4, 2 threads, seed 5) on classes 0..<30; prints both
    /// with the final training loss and the time taken.
    static func fiveWayOneShotLearning(_ name: String) throws -> (before: Double, after: Double) {
        let train = try SyntheticImageTasks(classes: 0..<30, ways: 5, shots: 1, queries: 5)
        let test = try SyntheticImageTasks(classes: 30..<45, ways: 5, shots: 1, queries: 5)
        let learner = try learner(name, problem: train.problem, options: ["backbone": "mlp"])
        let trainer = try MetaTrainer(learner: learner, optimizer: Adam(learningRate: 0.005), tasks: train,
                                      configuration: .init(metaBatchSize: 4, threads: 2, seed: 5))
        let initial = trainer.initialState()
        let before = try heldOut(learner, initial.parameters, on: test)
        let clock = ContinuousClock(), start = clock.now
        let trained = try trainer.train(initial, until: 30)
        let after = try heldOut(learner, trained.parameters, on: test)
        print("\(name): 5-way 1-shot held-out accuracy \(before) -> \(after) after 30 steps; "
              + "train loss \(tailMean(trained, "loss")); \(clock.now - start)")
        return (before, after)
    }

    /// The learner's predictions on tasks `indices` of `tasks` (seed 99),
    /// each with the evaluator's generator for that task.
    static func predictions(_ learner: any Learner, parameters: ParameterSet, on tasks: any TaskDistribution,
                            indices: Range<Int> = 0..<3) throws -> [[Float]] {
        let streams = RandomStreams(seed: 99)
        return try indices.map { i in
            var rng = streams.learner(task: i)
            return try learner.predict(task: tasks.task(at: i, seed: 99), parameters: parameters, using: &rng).scalars
        }
    }

    /// Mean held-out metric of `learner` at `parameters` on tasks `indices`.
    static func heldOut(_ learner: any Learner, _ parameters: ParameterSet, on tasks: any TaskDistribution,
                        indices: Range<Int> = 0..<40) throws -> Double {
        try Evaluator(threads: 2, seed: 100).evaluate(learner, parameters: parameters, on: tasks, indices: indices)
            .summary.mean
    }

    /// The mean of the last `count` values of a metric column.
    static func tailMean(_ state: TrainingState, _ column: String, count: Int = 5) -> Double {
        let values = state.metrics.columns[column] ?? []
        let tail = values.suffix(count)
        return tail.reduce(0, +) / Double(max(tail.count, 1))
    }

    /// The repository root (for the documentation tests), from this file's path.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
}
