import Autograd
import BuiltinPlugins
import Foundation
import Layers
import MetaLearning
import ReptilePlugin
import SinusoidPlugin
import Testing

@Suite struct ReptileTests {
    typealias Support = MetricAlgorithmTestSupport

    static let sinusoid = ProblemSpec.regression(inputDimension: 1, outputDimension: 1)

    /// The support-set loss of `task` at `parameters` (MSE), without graph.
    static func supportLoss(_ learner: Reptile, _ task: TaskData, _ parameters: ParameterSet) -> Double {
        withoutGradient {
            Double(meanSquaredError(learner.network.apply(task.supportInputs, parameters: parameters),
                                    task.supportTargets.values!).scalar)
        }
    }

    /// d(support loss)/d(parameters) by the engine.
    static func supportGradient(_ learner: Reptile, _ task: TaskData, _ parameters: ParameterSet) -> ParameterSet {
        let p = parameters.requiringGradient()
        return gradients(of: meanSquaredError(learner.network.apply(task.supportInputs, parameters: p),
                                              task.supportTargets.values!), with: p)
    }

    @Test func registersWithThePapersDefaultsAndChecksOptions() throws {
        let descriptor = try BuiltinPlugins.makeRegistry().algorithm(named: "reptile")
        #expect(descriptor.citation.contains("Nichol") && descriptor.supportedProblems == [.classification, .regression])
        let learner = try #require(try Support.learner("reptile", problem: Self.sinusoid) as? Reptile)
        #expect(learner.innerOptimizer == .adam && learner.innerSteps == 5 && learner.innerLearningRate == 0.001
                && learner.innerBatch == 10 && learner.evalInnerSteps == 50 && learner.outputs == 1
                && learner.innerState == .persistent)
        #expect(throws: ReptileError.invalidOption(name: "inner-state", value: "kept", expected: "persistent or fresh")) {
            try Support.learner("reptile", problem: Self.sinusoid, options: ["inner-state": "kept"])
        }
        #expect(throws: ReptileError.invalidOption(name: "inner-optimizer", value: "rmsprop", expected: "sgd or adam")) {
            try Support.learner("reptile", problem: Self.sinusoid, options: ["inner-optimizer": "rmsprop"])
        }
        #expect(throws: ReptileError.self) {
            try Support.learner("reptile", problem: Self.sinusoid, options: ["inner-steps": "-1"])
        }
        let fiveWay = try SyntheticImageTasks(ways: 5)
        let classifier = try Support.learner("reptile", problem: fiveWay.problem)
        var rng = SeededGenerator(seed: 1)
        let p = classifier.initialParameters(using: &rng)
        let sevenWay = try SyntheticImageTasks(ways: 7).task(at: 0, seed: 1)
        #expect(throws: ReptileError.tooManyWays(ways: 7, outputs: 5)) {
            try classifier.taskGradient(for: sevenWay, parameters: p, using: &rng)
        }
    }

    /// The key identity: with one full-batch inner SGD step of rate α the
    /// pseudo-gradient θ − φ is α·∇L_support(θ), here checked both against the
    /// engine's gradient and against central differences of the support loss;
    /// with k steps it is the sum α·Σ_t ∇L_support(φ_t) along the inner path;
    /// with one Adam (β1 = 0) step it is α·g/(|g| + ε) ≈ α·sign(g).
    @Test func pseudoGradientIsTheSumOfInnerUpdates() throws {
        let task = try SinusoidTasks(shots: 10, queries: 10).task(at: 3, seed: 2)
        let network = MLP(sizes: [1, 8, 8, 1])
        let alpha = 0.05
        let one = try Reptile(network: network, outputs: 1, innerOptimizer: .sgd, innerSteps: 1,
                              innerLearningRate: alpha, innerBatch: 0)
        var rng = SeededGenerator(seed: 4)
        let theta = one.initialParameters(using: &rng)
        let pseudo = try one.taskGradient(for: task, parameters: theta, using: &rng).gradients
        let scaled = pseudo.mapTensors { _, t in t * Float(1 / alpha) }
        let fd = Support.checkGradient(scaled, at: theta, entriesPerTensor: 100, eps: 1e-3, absTol: 2e-3, relTol: 1e-2) {
            Self.supportLoss(one, task, $0)
        }
        #expect(fd.worstRatio <= 1, "\(fd)")
        let g0 = Self.supportGradient(one, task, theta)
        for (a, b) in zip(pseudo.tensors, g0.tensors) {
            let worst = zip(a.scalars, b.scalars).map { abs(Double($0) - alpha * Double($1)) }.max() ?? 0
            #expect(worst < 1e-6, "one-step pseudo-gradient differs from alpha * gradient by \(worst)")
        }

        let three = try Reptile(network: network, outputs: 1, innerOptimizer: .sgd, innerSteps: 3,
                                innerLearningRate: alpha, innerBatch: 0)
        var phi = theta
        var sum = theta.mapTensors { _, t in Tensor(zeros: t.shape) }
        for _ in 0..<3 {
            let g = Self.supportGradient(three, task, phi)
            sum = withoutGradient { sum.combined(with: g) { _, s, gt in s + gt * Float(alpha) } }
            phi = withoutGradient { phi.combined(with: g) { _, p, gt in p - gt * Float(alpha) } }
        }
        let pseudo3 = try three.taskGradient(for: task, parameters: theta, using: &rng).gradients
        for (a, b) in zip(pseudo3.tensors, sum.tensors) {
            let worst = zip(a.scalars, b.scalars).map { abs(Double($0) - Double($1)) }.max() ?? 0
            #expect(worst < 1e-5, "three-step pseudo-gradient differs from the summed updates by \(worst)")
        }

        let adam = try Reptile(network: network, outputs: 1, innerOptimizer: .adam, innerSteps: 1,
                               innerLearningRate: alpha, innerBatch: 0, innerState: .fresh)
        let adamPseudo = try adam.taskGradient(for: task, parameters: theta, using: &rng).gradients
        for (a, g) in zip(adamPseudo.tensors, g0.tensors) {
            for (step, gradient) in zip(a.scalars, g.scalars) {
                let expected = alpha * Double(gradient) / (abs(Double(gradient)) + 1e-8)
                #expect(abs(Double(step) - expected) < 1e-5, "Adam step \(step), expected \(expected)")
            }
        }
    }

    /// Minibatches are drawn without replacement from the learner's
    /// generator: reproducible for a generator state, different from
    /// full-batch steps, and five batches of two cover all ten points once.
    @Test func innerMinibatchesAreReproducibleAndCoverTheSupportSet() throws {
        let task = try SinusoidTasks(shots: 10, queries: 5).task(at: 0, seed: 3)
        let network = MLP(sizes: [1, 8, 1])
        let batched = try Reptile(network: network, outputs: 1, innerOptimizer: .sgd, innerSteps: 5,
                                  innerLearningRate: 0.01, innerBatch: 2)
        let full = try Reptile(network: network, outputs: 1, innerOptimizer: .sgd, innerSteps: 5,
                               innerLearningRate: 0.01, innerBatch: 0)
        var rng = SeededGenerator(seed: 5)
        let theta = batched.initialParameters(using: &rng)
        var a = SeededGenerator(seed: 6), b = SeededGenerator(seed: 6)
        let phiA = try batched.adapt(theta, to: task, steps: 5, using: &a)
        let phiB = try batched.adapt(theta, to: task, steps: 5, using: &b)
        #expect(phiA.tensors.flatMap(\.scalars) == phiB.tensors.flatMap(\.scalars))
        var c = SeededGenerator(seed: 6)
        #expect(try full.adapt(theta, to: task, steps: 5, using: &c).tensors.flatMap(\.scalars)
                != phiA.tensors.flatMap(\.scalars))
        var d = SeededGenerator(seed: 6)
        let permutation = Reptile.permutation(10, using: &d)
        #expect(permutation.sorted() == Array(0..<10) && permutation != Array(0..<10))
    }

    /// Sinusoid regression (Finn et al. 2017): held-out query MSE after
    /// adaptation falls well below that of the untrained initialisation.
    @Test func learnsSinusoidRegression() throws {
        let tasks = try SinusoidTasks(shots: 10, queries: 10)
        let learner = try Support.learner("reptile", problem: tasks.problem,
                                          options: ["inner-optimizer": "sgd", "inner-lr": "0.02", "inner-steps": "5",
                                                    "inner-batch": "0", "eval-inner-steps": "10"])
        let trainer = try MetaTrainer(learner: learner, optimizer: SGD(learningRate: 1), tasks: tasks,
                                      configuration: .init(metaBatchSize: 5, threads: 2, seed: 7))
        let initial = trainer.initialState()
        let heldOut = 1000..<1100
        let before = try Support.heldOut(learner, initial.parameters, on: tasks, indices: heldOut)
        let clock = ContinuousClock(), start = clock.now
        let trained = try trainer.train(initial, until: 500)
        let after = try Support.heldOut(learner, trained.parameters, on: tasks, indices: heldOut)
        print("reptile: sinusoid held-out MSE after 10 SGD steps \(before) -> \(after) after 500 meta-steps; "
              + "train query MSE \(Support.tailMean(trained, "mse", count: 50)); \(clock.now - start)")
        #expect(after < 1.6 && after < 0.4 * before, "before \(before), after \(after)")
    }

    @Test func savedAndLoadedParametersPredictIdentically() throws {
        let tasks = try SyntheticImageTasks(classes: 0..<20, ways: 5, shots: 2, queries: 3)
        let learner = try Support.learner("reptile", problem: tasks.problem,
                                          options: ["inner-steps": "2", "eval-inner-steps": "3", "inner-batch": "4"])
        let p = try Support.checkpointPredictions(learner, on: tasks, optimizer: SGD(learningRate: 1))
        #expect(p.trained.allSatisfy { $0.count == 15 * 5 })
        #expect(p.restored == p.trained)
        #expect(p.initial != p.trained)
    }

    /// The weights of `parameters` (without the inner-state buffers).
    static func weights(_ parameters: ParameterSet) -> ParameterSet {
        ParameterSet(parameters.filter { !$0.name.hasPrefix(Reptile.bufferPrefix) }.map { ($0.name, $0.tensor) })
    }

    /// With meta-batch 1 and meta step 1, persistent Reptile is the paper's
    /// sequential loop: Adam's moments and step count carry from one task to
    /// the next. Checked against Adam run by hand, and against `.fresh`,
    /// which agrees on the first task and not on the second.
    @Test func persistentInnerStateCarriesAdamFromTaskToTask() throws {
        let tasks = try SinusoidTasks(shots: 10, queries: 5)
        let network = MLP(sizes: [1, 8, 1])
        let learner = try Reptile(network: network, outputs: 1, innerOptimizer: .adam, innerSteps: 3,
                                  innerLearningRate: 0.01, innerBatch: 0)
        let configuration = MetaTrainer.Configuration(metaBatchSize: 1, threads: 1, seed: 8)
        let trainer = try MetaTrainer(learner: learner, optimizer: SGD(learningRate: 1), tasks: tasks,
                                      configuration: configuration)
        let initial = trainer.initialState()
        #expect(initial.parameters.names.filter { $0.hasPrefix("inner.") }.count == 2 * network.parameterNames.count + 1)
        let adam = Adam(learningRate: 0.01, beta1: 0)
        var weights = Self.weights(initial.parameters)
        var state = adam.initialState(for: weights)
        var current = initial
        for index in 0..<2 {
            let task = try tasks.task(at: index, seed: 8)
            weights = Self.weights(current.parameters)
            for _ in 0..<3 {
                (weights, state) = adam.update(parameters: weights, gradients: Self.supportGradient(learner, task, weights),
                                               state: state)
            }
            current = try trainer.step(current).0
            for (name, tensor) in weights {
                let worst = zip(current.parameters[name]!.scalars, tensor.scalars).map { abs($0 - $1) }.max()!
                #expect(worst < 1e-6, "task \(index): '\(name)' differs from Adam by hand by \(worst)")
            }
            for array in state.arrays {
                #expect(current.parameters["inner." + array.name]!.scalars == array.values, "\(array.name)")
            }
            #expect(current.parameters["inner.step"]!.scalars == [Float(3 * (index + 1))])
        }

        let fresh = try Reptile(network: network, outputs: 1, innerOptimizer: .adam, innerSteps: 3,
                                innerLearningRate: 0.01, innerBatch: 0, innerState: .fresh)
        let freshTrainer = try MetaTrainer(learner: fresh, optimizer: SGD(learningRate: 1), tasks: tasks,
                                           configuration: configuration)
        let freshInitial = freshTrainer.initialState()
        #expect(freshInitial.parameters.names == network.parameterNames)
        let freshOne = try freshTrainer.step(freshInitial).0
        let persistentOne = try trainer.step(initial).0
        #expect(freshOne.parameters.tensors.map(\.scalars) == Self.weights(persistentOne.parameters).tensors.map(\.scalars))
        let freshTwo = try freshTrainer.step(freshOne).0
        let drift = zip(freshTwo.parameters.tensors, Self.weights(current.parameters).tensors)
            .map { zip($0.scalars, $1.scalars).map { abs($0 - $1) }.max()! }.max()!
        #expect(drift > 1e-4, "fresh and persistent inner state agree on the second task (\(drift))")
        #expect(throws: ReptileError.self) {
            try Reptile(network: Linear(inputs: 1, outputs: 1, name: "inner.head"), outputs: 1)
        }
        #expect(throws: ReptileError.missingInnerState(name: "inner.exp_avg.fc1.weight", shape: [8, 1])) {
            var rng = SeededGenerator(seed: 1)
            _ = try learner.predict(task: try tasks.task(at: 0, seed: 8), parameters: freshInitial.parameters, using: &rng)
        }
    }

    /// With several tasks the stored state is the mean of the tasks' final
    /// states, the same for 1 and 2 threads; evaluation adapts from it.
    @Test func storedInnerStateIsTheMetaBatchMeanAndSteersEvaluation() throws {
        let tasks = try SinusoidTasks(shots: 10, queries: 5)
        let learner = try Reptile(network: MLP(sizes: [1, 8, 1]), outputs: 1, innerOptimizer: .adam, innerSteps: 2,
                                  innerLearningRate: 0.01, innerBatch: 4, evalInnerSteps: 10)
        var states: [TrainingState] = []
        for threads in [1, 2] {
            let trainer = try MetaTrainer(learner: learner, optimizer: SGD(learningRate: 0.5), tasks: tasks,
                                          configuration: .init(metaBatchSize: 2, threads: threads, seed: 9))
            states.append(try trainer.step(trainer.initialState()).0)
            if threads == 1 {
                let theta = trainer.initialState().parameters
                let streams = RandomStreams(seed: 9)
                let adapted = try (0..<2).map { index in
                    var rng = streams.learner(task: index)
                    return try learner.adapt(theta, to: try tasks.task(at: index, seed: 9), steps: 2, using: &rng)
                }
                for name in theta.names where name.hasPrefix("inner.") {
                    let expected = zip(adapted[0][name]!.scalars, adapted[1][name]!.scalars).map { ($0 + $1) / 2 }
                    #expect(states[0].parameters[name]!.scalars == expected, "\(name)")
                }
                #expect(states[0].parameters["inner.step"]!.scalars == [2])
            }
        }
        #expect(states[0].parameters.tensors.map(\.scalars) == states[1].parameters.tensors.map(\.scalars))
        // A huge stored second moment makes the evaluation's Adam steps tiny:
        // the predictions stay at the unadapted network's.
        let task = try tasks.task(at: 50, seed: 9)
        let parameters = states[0].parameters
        let damped = parameters.mapTensors { name, t in
            name.hasPrefix("inner.exp_avg_sq.") ? Tensor(shape: t.shape, scalars: Array(repeating: 1e12, count: t.count)) : t
        }
        var r1 = SeededGenerator(seed: 3), r2 = SeededGenerator(seed: 3)
        let adaptedPrediction = try learner.predict(task: task, parameters: parameters, using: &r1).scalars
        let dampedPrediction = try learner.predict(task: task, parameters: damped, using: &r2).scalars
        let unadapted = withoutGradient { learner.network.apply(task.queryInputs, parameters: Self.weights(parameters)) }.scalars
        let dampedShift = zip(dampedPrediction, unadapted).map { abs($0 - $1) }.max()!
        let adaptedShift = zip(adaptedPrediction, unadapted).map { abs($0 - $1) }.max()!
        #expect(dampedShift < 1e-4 && adaptedShift > 1e-2, "damped \(dampedShift), adapted \(adaptedShift)")
    }
}
