import Autograd
import BuiltinPlugins
import Layers
import MetaLearning
import MetaSGDPlugin
import Testing

@Suite struct MetaSGDTests {
    typealias Support = GradientAlgorithmTestSupport

    /// The post-adaptation query loss as a plain function of (θ, α).
    static func adaptedQueryLoss(_ learner: MetaSGD, _ parameters: ParameterSet, _ task: TaskData) throws -> Double {
        let adapted = try learner.adapt(parameters, to: task, steps: learner.configuration.innerSteps)
        return Double(withoutGradient {
            Support.loss(learner.network.apply(task.queryInputs, parameters: adapted), task.queryTargets)
        }.scalar)
    }

    /// Parameters: the network's weights, then `lr/<weight>` of the same shapes, uniform in
    /// [0.005, 0.1] and drawn from the generator (deterministic).
    @Test func learningRatesAreParametersInTheirInitialRange() throws {
        let network = Support.smoothRegressionNetwork()
        let learner = try MetaSGD(problem: Support.sinusoidProblem, network: network)
        var a = SeededGenerator(seed: 1), b = SeededGenerator(seed: 1)
        let p = learner.initialParameters(using: &a)
        #expect(p.names == network.parameterNames + network.parameterNames.map { "lr/" + $0 })
        #expect(Support.flat(p) == Support.flat(learner.initialParameters(using: &b)))
        let rates = try learner.learningRates(in: p)
        #expect(rates.names == network.parameterNames)
        let values = Support.flat(rates)
        #expect(values.allSatisfy { $0 >= 0.005 && $0 <= 0.1 })
        #expect(values.max()! - values.min()! > 0.05)   // actually spread over the range
        var missing = p
        missing["lr/t2.bias"] = nil
        let task = try Support.smallRegressionTask()
        #expect(throws: MetaSGDError.missingLearningRate(parameter: "t2.bias", expectedShape: [8])) {
            try learner.predict(task: task, parameters: missing, using: &a)
        }
    }

    /// The gradient with respect to the learning rates (and the weights) against central
    /// differences of the post-adaptation query loss, 1 and 2 inner steps, second order.
    /// Stated tolerance: 0.5% of the largest entry of the gradient block being checked.
    @Test(arguments: [1, 2])
    func learningRateGradientMatchesFiniteDifferences(steps: Int) throws {
        let network = Support.smoothRegressionNetwork()
        let learner = try MetaSGD(problem: Support.sinusoidProblem, network: network,
                                  configuration: .init(innerSteps: steps, initialLearningRateRange: 0.1...0.4))
        let task = try Support.smallRegressionTask()
        var rng = SeededGenerator(seed: 4)
        let parameters = learner.initialParameters(using: &rng)
        let result = try learner.taskGradient(for: task, parameters: parameters, using: &rng)
        #expect(result.gradients.names == parameters.names)
        #expect(Swift.abs(result.loss - (try Self.adaptedQueryLoss(learner, parameters, task))) < 1e-5)
        let rateNames = Set(parameters.names.filter { $0.hasPrefix("lr/") })
        let rateGradient = ParameterSet(parameters.names.filter(rateNames.contains).map { ($0, result.gradients[$0]!) })
        let rates = try Support.compare(rateGradient, at: parameters, names: rateNames, epsilon: 5e-3) {
            try Self.adaptedQueryLoss(learner, $0, task)
        }
        let weightNames = Set(network.parameterNames)
        let weightGradient = ParameterSet(network.parameterNames.map { ($0, result.gradients[$0]!) })
        let weights = try Support.compare(weightGradient, at: parameters, names: weightNames, epsilon: 5e-3) {
            try Self.adaptedQueryLoss(learner, $0, task)
        }
        print("Meta-SGD \(steps)-step gradient vs finite differences: rates \(rates); weights \(weights)")
        #expect(rates.checked == network.initialParameters(using: &rng).parameterCount)
        #expect(rates.scale > 0.01 && weights.scale > 0.05)
        #expect(rates.worstError <= 0.005 * rates.scale, "\(rates)")
        #expect(weights.worstError <= 0.005 * weights.scale, "\(weights)")
    }

    /// Meta-SGD (registry defaults: 1 learned-rate step, rates from U[0.005, 0.1]) learns sinusoid
    /// regression (10 shots, MLP 1-40-40-1, Adam 1e-2): held-out post-adaptation MSE falls from above
    /// 2.5 (measured 4.3) to below 1.3 (measured 0.80) within 300 meta-steps of 10 tasks, and the
    /// learning rates move away from their initial values.
    @Test func learnsSinusoidRegression() throws {
        let tasks = try Support.sinusoidTasks(shots: 10, queries: 10)
        let learner = try BuiltinPlugins.makeRegistry().algorithm(named: "metasgd").makeLearner(problem: tasks.problem)
        let trainer = try MetaTrainer(learner: learner, optimizer: Adam(learningRate: 1e-2), tasks: tasks,
                                      configuration: .init(metaBatchSize: 10, threads: 2, seed: 4))
        let evaluator = Evaluator(threads: 2, seed: 1000)
        let initial = trainer.initialState()
        let before = try evaluator.evaluate(learner, parameters: initial.parameters, on: tasks, indices: 0..<100)
        let trained = try trainer.train(initial, until: 300)
        let after = try evaluator.evaluate(learner, parameters: trained.parameters, on: tasks, indices: 0..<100)
        print("Meta-SGD sinusoid held-out post-adaptation MSE: before \(before.summary.mean), after 300 steps \(after.summary.mean)")
        #expect(before.summary.mean > 2.5)
        #expect(after.summary.mean < 1.3, "MSE after training \(after.summary.mean)")
        let metaSGD = try #require(learner as? MetaSGD)
        let moved = zip(Support.flat(try metaSGD.learningRates(in: initial.parameters)),
                        Support.flat(try metaSGD.learningRates(in: trained.parameters))).map { Swift.abs($0 - $1) }
        #expect(moved.max()! > 0.05)
    }

    /// The learned rates are saved with the weights: checkpoint -> store -> resumed state has the
    /// `lr/` tensors bit for bit and predicts identically.
    @Test func learningRatesAreCheckpointedWithTheWeights() throws {
        let tasks = try Support.sinusoidTasks(shots: 5, queries: 5)
        let learner = try MetaSGD(problem: tasks.problem, network: NetworkArchitecture.mlp.network(for: tasks.problem))
        let trainer = try MetaTrainer(learner: learner, optimizer: Adam(learningRate: 1e-2), tasks: tasks,
                                      configuration: .init(metaBatchSize: 4, threads: 2, seed: 3))
        let (trained, restored) = try Support.roundTrip(trainer, steps: 3)
        #expect(restored.parameters.names.filter { $0.hasPrefix("lr/") }.count == 6)
        #expect(Support.flat(try learner.learningRates(in: restored.parameters))
                == Support.flat(try learner.learningRates(in: trained.parameters)))
        let a = try Support.predictions(learner, trained.parameters, on: tasks, indices: 0..<5)
        let b = try Support.predictions(learner, restored.parameters, on: tasks, indices: 0..<5)
        #expect(a == b)
        // The rates matter: the same weights with the initial rates predict differently.
        var rng = RandomStreams(seed: 3).initialization
        let initial = learner.initialParameters(using: &rng)
        let mixed = restored.parameters.mapTensors { name, t in name.hasPrefix("lr/") ? initial[name]! : t }
        #expect(try Support.predictions(learner, mixed, on: tasks, indices: 0..<5) != a)
    }
}
