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
                && learner.innerBatch == 10 && learner.evalInnerSteps == 50 && learner.outputs == 1)
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
                               innerLearningRate: alpha, innerBatch: 0)
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
        let trainer = try MetaTrainer(learner: learner, optimizer: SGD(learningRate: 1), tasks: tasks,
                                      configuration: .init(metaBatchSize: 2, seed: 6))
        let state = try trainer.train(trainer.initialState(), until: 2)
        let restored = try Support.roundTrip(state, optimizer: "sgd")
        let original = try Support.predictions(learner, parameters: state.parameters, on: tasks)
        #expect(original.allSatisfy { $0.count == 15 * 5 })
        #expect(try Support.predictions(learner, parameters: restored.parameters, on: tasks) == original)
        #expect(try Support.predictions(learner, parameters: trainer.initialState().parameters, on: tasks) != original)
    }
}
