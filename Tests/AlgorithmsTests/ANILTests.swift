import ANILPlugin
import Autograd
import BuiltinPlugins
import Layers
import MetaLearning
import Testing

@Suite struct ANILTests {
    typealias Support = GradientAlgorithmTestSupport

    /// The post-adaptation query loss as a plain function of the parameters.
    static func adaptedQueryLoss(_ anil: ANIL, _ parameters: ParameterSet, _ task: TaskData) throws -> Double {
        let adapted = try anil.adaptHead(parameters, to: task, steps: anil.configuration.innerSteps)
        return Double(withoutGradient {
            Support.loss(anil.network.apply(task.queryInputs, parameters: adapted), task.queryTargets)
        }.scalar)
    }

    /// ANIL's meta-gradient (body and head) against central differences of the post-adaptation
    /// query loss, 1 and 2 head steps of 0.5. Stated tolerance: 0.5% of the largest entry. The
    /// first-order variant misses the body's path through the support features and the head's
    /// second-order terms, so it must be at least 10x further off.
    @Test(arguments: [1, 2])
    func metaGradientMatchesFiniteDifferences(steps: Int) throws {
        let network = Support.smoothRegressionNetwork()
        let config = ANIL.Configuration(innerSteps: steps, innerLearningRate: 0.5)
        let anil = try ANIL(problem: Support.sinusoidProblem, network: network, configuration: config)
        var firstOrderConfig = config
        firstOrderConfig.firstOrder = true
        let firstOrder = try ANIL(problem: Support.sinusoidProblem, network: network, configuration: firstOrderConfig)
        let task = try Support.smallRegressionTask()
        var rng = SeededGenerator(seed: 6)
        let theta = anil.initialParameters(using: &rng)
        let exact = try anil.taskGradient(for: task, parameters: theta, using: &rng)
        let approximate = try firstOrder.taskGradient(for: task, parameters: theta, using: &rng)
        #expect(exact.gradients.names == theta.names && approximate.gradients.names == theta.names)
        #expect(Swift.abs(exact.loss - (try Self.adaptedQueryLoss(anil, theta, task))) < 1e-5)
        let report = try Support.compare(exact.gradients, other: approximate.gradients, at: theta, epsilon: 5e-3) {
            try Self.adaptedQueryLoss(anil, $0, task)
        }
        print("ANIL \(steps)-step meta-gradient vs finite differences: \(report)")
        #expect(report.scale > 0.05)
        #expect(report.worstError <= 0.005 * report.scale, "\(report)")
        #expect(report.worstOtherError >= 10 * report.worstError, "\(report)")
    }

    /// The inner loop changes only the head: adapting leaves every body tensor bit-identical and
    /// equals SGD written out on the head alone; first-order ANIL's head gradient is the query
    /// gradient at the adapted head.
    @Test func innerLoopAdaptsOnlyTheHead() throws {
        let tasks = try SyntheticImageTasks(classes: 0..<6, ways: 2, shots: 2, queries: 3, height: 16, width: 16)
        let network = Support.smallConvNetwork()
        let anil = try ANIL(problem: tasks.problem, network: network,
                            configuration: .init(innerSteps: 2, innerLearningRate: 0.4, evaluationInnerSteps: 2,
                                                 firstOrder: true))
        let task = try tasks.task(at: 2, seed: 3)
        var rng = SeededGenerator(seed: 10)
        let theta = anil.initialParameters(using: &rng)
        let adapted = try anil.adaptHead(theta, to: task, steps: 2)
        #expect(adapted.names == theta.names)
        for name in theta.names where !network.headParameterNames.contains(name) {
            #expect(adapted[name]!.scalars == theta[name]!.scalars)
        }
        #expect(adapted["head.weight"]!.scalars != theta["head.weight"]!.scalars)
        // Written out: features once, two SGD steps on the head.
        let features = withoutGradient { network.embed(task.supportInputs, parameters: theta) }
        var head = network.split(theta).head
        for _ in 0..<2 {
            let leaves = head.requiringGradient()
            let g = gradients(of: Support.loss(network.applyHead(features, parameters: leaves), task.supportTargets),
                              with: leaves)
            head = withoutGradient { head.combined(with: g) { _, w, gw in w - 0.4 * gw } }
        }
        #expect(Support.flat(network.split(adapted).head) == Support.flat(head))
        #expect(try anil.predict(task: task, parameters: theta, using: &rng).scalars
                == withoutGradient { network.apply(task.queryInputs, parameters: adapted) }.scalars)
        // First order: the head's gradient is the query gradient at the adapted head.
        let leaves = head.requiringGradient()
        let queryFeatures = withoutGradient { network.embed(task.queryInputs, parameters: theta) }
        let expected = gradients(of: Support.loss(network.applyHead(queryFeatures, parameters: leaves), task.queryTargets),
                                 with: leaves)
        let result = try anil.taskGradient(for: task, parameters: theta, using: &rng)
        #expect(Support.flat(network.split(result.gradients).head) == Support.flat(expected))
        #expect(Support.flat(network.split(result.gradients).body).contains { $0 != 0 })
    }

    /// ANIL (second order, paper defaults: 1 head step of 0.4, 3 at evaluation) learns 5-way 1-shot
    /// classification of 8x8 synthetic images with a small Conv4 (16 filters): held-out accuracy rises
    /// from below 35% (measured 26%) to above 55% (measured 63%) in 150 meta-steps of 8 tasks.
    @Test func learnsSyntheticImageClassification() throws {
        let train = try SyntheticImageTasks(classes: 0..<30, ways: 5, shots: 1, queries: 5)
        let test = try SyntheticImageTasks(classes: 30..<45, ways: 5, shots: 1, queries: 5)
        let anil = try ANIL(problem: train.problem, network: Support.smallConvNetwork(ways: 5, filters: 16))
        let trainer = try MetaTrainer(learner: anil, optimizer: Adam(learningRate: 3e-3), tasks: train,
                                      configuration: .init(metaBatchSize: 8, threads: 2, seed: 6))
        let evaluator = Evaluator(threads: 2, seed: 1000)
        let initial = trainer.initialState()
        let before = try evaluator.evaluate(anil, parameters: initial.parameters, on: test, indices: 0..<100)
        let trained = try trainer.train(initial, until: 150)
        let after = try evaluator.evaluate(anil, parameters: trained.parameters, on: test, indices: 0..<100)
        print("ANIL synthetic 5-way 1-shot held-out accuracy: before \(before.summary.mean), after 150 steps \(after.summary.mean)")
        #expect(before.summary.mean < 0.35)
        #expect(after.summary.mean > 0.55, "accuracy after training \(after.summary.mean)")
    }

    /// Checkpoint round trip: identical predictions.
    @Test func savedAndLoadedParametersPredictIdentically() throws {
        let tasks = try SyntheticImageTasks(classes: 0..<20, ways: 3, shots: 1, queries: 2, height: 16, width: 16)
        let anil = try ANIL(problem: tasks.problem, network: Support.smallConvNetwork(ways: 3, filters: 8))
        let trainer = try MetaTrainer(learner: anil, optimizer: Adam(learningRate: 1e-3), tasks: tasks,
                                      configuration: .init(metaBatchSize: 4, threads: 2, seed: 3))
        let (trained, restored) = try Support.roundTrip(trainer, steps: 3)
        let a = try Support.predictions(anil, trained.parameters, on: tasks, indices: 0..<5)
        let b = try Support.predictions(anil, restored.parameters, on: tasks, indices: 0..<5)
        #expect(a == b)
        var rng = RandomStreams(seed: 3).initialization
        #expect(try Support.predictions(anil, anil.initialParameters(using: &rng), on: tasks, indices: 0..<5) != a)
    }
}
