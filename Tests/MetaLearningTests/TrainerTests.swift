import Autograd
import MetaLearning
import SinusoidPlugin
import Testing

@Suite struct TrainerTests {
    static func trainer(threads: Int, seed: UInt64 = 11, batch: Int = 4, interval: Int = 0) throws -> MetaTrainer {
        let tasks = try SyntheticImageTasks(classes: 0..<20, ways: 3, shots: 2, queries: 3, noise: 0.8)
        return try MetaTrainer(learner: PrototypeTestLearner(inputs: 64), optimizer: Adam(learningRate: 0.01),
                               tasks: tasks,
                               configuration: .init(metaBatchSize: batch, threads: threads, seed: seed,
                                                    checkpointInterval: interval))
    }

    @Test func trainingIsBitIdenticalForAnyThreadCount() throws {
        let one = try Self.trainer(threads: 1)
        let a = try one.train(one.initialState(), until: 3)
        let b = try one.train(one.initialState(), until: 3)
        let two = try Self.trainer(threads: 2)
        let c = try two.train(two.initialState(), until: 3)
        #expect(a.step == 3 && a.metrics.steps == [1, 2, 3])
        #expect(a.parameters.flatValues == b.parameters.flatValues)
        #expect(a.parameters.flatValues == c.parameters.flatValues)
        #expect(a.optimizerState == c.optimizerState)
        #expect(a.metrics.columns["loss"] == c.metrics.columns["loss"])
        let other = try Self.trainer(threads: 1, seed: 12)
        #expect(try other.train(other.initialState(), until: 1).parameters.flatValues != a.parameters.flatValues)
    }

    @Test func resumingFromACheckpointContinuesExactly() throws {
        let trainer = try Self.trainer(threads: 2)
        let straight = try trainer.train(trainer.initialState(), until: 4)
        let half = try trainer.train(trainer.initialState(), until: 2)
        let checkpoint = half.checkpoint(optimizerName: trainer.optimizer.name, configJSON: "{\"seed\": 11}",
                                         softwareVersion: "test")
        let store = InMemoryStore()
        try store.writeCheckpoint(checkpoint, to: "run")
        let resumed = try trainer.resume(from: store.readCheckpoint(at: "run"))
        #expect(resumed.step == 2 && resumed.seed == 11)
        let finished = try trainer.train(resumed, until: 4)
        #expect(finished.parameters.flatValues == straight.parameters.flatValues)
        #expect(finished.metrics == straight.metrics.removingSeconds(from: finished.metrics))
        var wrong = checkpoint
        wrong.optimizerName = "sgd"
        #expect(throws: TrainingError.optimizerMismatch(expected: "adam", found: "sgd")) { try trainer.resume(from: wrong) }
        #expect(throws: TrainingError.seedMismatch(expected: 12, found: 11)) {
            try Self.trainer(threads: 1, seed: 12).resume(from: checkpoint)
        }
        wrong = checkpoint
        wrong.rngState = [1, 2, 3, 4]
        #expect(throws: TrainingError.invalidRNGState([1, 2, 3, 4])) { try trainer.resume(from: wrong) }
        wrong = checkpoint
        wrong.parameters.removeLast()
        #expect(throws: TrainingError.self) { try trainer.resume(from: wrong) }
    }

    @Test func callbacksFireOnScheduleAndCanStop() throws {
        let trainer = try Self.trainer(threads: 1, batch: 2, interval: 2)
        var checkpointed: [Int] = []
        var reported: [Int] = []
        let final = try trainer.train(trainer.initialState(), until: 5,
                                      onStep: { reported.append($0.step); return .proceed },
                                      onCheckpoint: { checkpointed.append($0.step) })
        #expect(final.step == 5 && reported == [1, 2, 3, 4, 5] && checkpointed == [2, 4, 5])
        var seen = 0
        let stopped = try trainer.train(trainer.initialState(), until: 10, onStep: { report in
            seen += 1
            #expect(report.metricName == "accuracy" && report.seconds >= 0 && report.loss.isFinite)
            return report.step == 2 ? .stop : .proceed
        })
        #expect(stopped.step == 2 && seen == 2)
        #expect(throws: TrainingError.self) {
            try MetaTrainer(learner: PrototypeTestLearner(inputs: 64), optimizer: SGD(learningRate: 0.1),
                            tasks: SyntheticImageTasks(), configuration: .init(metaBatchSize: 0, seed: 1))
        }
    }

    @Test func trainingImprovesHeldOutAccuracy() throws {
        let train = try SyntheticImageTasks(classes: 0..<30, ways: 5, shots: 1, queries: 5)
        let test = try SyntheticImageTasks(classes: 30..<45, ways: 5, shots: 1, queries: 5)
        let trainer = try MetaTrainer(learner: PrototypeTestLearner(inputs: 64, hidden: 32, outputs: 16),
                                      optimizer: Adam(learningRate: 0.01), tasks: train,
                                      configuration: .init(metaBatchSize: 8, threads: 2, seed: 3))
        let initial = trainer.initialState()
        let evaluator = Evaluator(threads: 2, seed: 100)
        let before = try evaluator.evaluate(trainer.learner, parameters: initial.parameters, on: test, indices: 0..<60)
        let trained = try trainer.train(initial, until: 40)
        let after = try evaluator.evaluate(trainer.learner, parameters: trained.parameters, on: test, indices: 0..<60)
        print("synthetic 5-way 1-shot held-out accuracy before \(before.summary.mean), after \(after.summary.mean)")
        #expect(after.summary.mean > before.summary.mean + 0.05, "before \(before.summary.mean), after \(after.summary.mean)")
        let comparison = try PairedComparison(after.perEpisode, before.perEpisode)
        #expect(comparison.isSignificant)
    }

    @Test func evaluatorIsThreadIndependentAndChecksBounds() throws {
        let test = try SyntheticImageTasks(classes: 0..<10, ways: 3, shots: 1, queries: 4)
        let learner = PrototypeTestLearner(inputs: 64)
        var rng = SeededGenerator(seed: 0)
        let p = learner.initialParameters(using: &rng)
        let a = try Evaluator(threads: 1, seed: 5).evaluate(learner, parameters: p, on: test, indices: 3..<23)
        let b = try Evaluator(threads: 2, seed: 5).evaluate(learner, parameters: p, on: test, indices: 3..<23)
        #expect(a.perEpisode == b.perEpisode && a.indices == Array(3..<23) && a.metricName == "accuracy")
        #expect(a.summary == Summary(a.perEpisode))
        #expect(throws: TrainingError.unboundedEvaluation) { try Evaluator().evaluate(learner, parameters: p, on: test) }
    }

    @Test func reducerAveragesInTaskOrder() {
        let g1 = ParameterSet([("a", Tensor(shape: [2], scalars: [1, 2])), ("b", Tensor(shape: [1], scalars: [3]))])
        let g2 = ParameterSet([("a", Tensor(shape: [2], scalars: [3, 4])), ("b", Tensor(shape: [1], scalars: [-3]))])
        let r = MetaBatchReducer().reduce([TaskGradient(gradients: g1, loss: 1, metric: 0.5),
                                           TaskGradient(gradients: g2, loss: 3, metric: 1)])
        #expect(r.gradients["a"]!.scalars == [2, 3] && r.gradients["b"]!.scalars == [0])
        #expect(r.loss == 2 && r.metric == 0.75 && r.taskCount == 2)
    }

    /// Buffers are set to their mean over the meta-batch after the
    /// optimizer's step, whatever the optimizer (here Adam with weight decay)
    /// would have done to them; the weights train as without buffers.
    @Test func buffersAreReplacedByTheirMeanOverTheMetaBatch() throws {
        let tasks = try SinusoidTasks(shots: 5, queries: 5)
        let adam = Adam(learningRate: 0.01, weightDecay: 0.1)
        let configuration = MetaTrainer.Configuration(metaBatchSize: 3, threads: 2, seed: 4)
        let trainer = try MetaTrainer(learner: BufferTestLearner(), optimizer: adam, tasks: tasks,
                                      configuration: configuration)
        let state = try trainer.train(trainer.initialState(), until: 2)
        #expect(state.parameters["tasks"]!.scalars == [2])
        let lastTargets = try (3..<6).map { Double(try tasks.task(at: $0, seed: 4).queryTargets.values!.scalars[0]) }
        let mean = Float(lastTargets.map { Float($0) }.reduce(0, +) / 3)
        #expect(state.parameters["last"]!.scalars == [mean])
        let plain = try MetaTrainer(learner: RegressionTestLearner(), optimizer: adam, tasks: tasks,
                                    configuration: configuration)
        let plainState = try plain.train(plain.initialState(), until: 2)
        #expect(BufferTestLearner().weights(state.parameters).tensors.map(\.scalars)
                == plainState.parameters.tensors.map(\.scalars))
        let wrong = try MetaTrainer(learner: BufferTestLearner(extraBuffer: true), optimizer: adam, tasks: tasks,
                                    configuration: configuration)
        #expect(throws: TrainingError.unknownBuffer(name: "unknown", shape: [2])) {
            try wrong.step(wrong.initialState())
        }
    }

    @Test func randomStreamsRecoverTheSeed() {
        for seed: UInt64 in [0, 1, 42, .max, 0x1234_5678_9ABC_DEF0] {
            let streams = RandomStreams(seed: seed)
            #expect(RandomStreams(checkpointState: streams.checkpointState) == streams)
        }
        #expect(RandomStreams(checkpointState: [1, 2, 3, 4]) == nil)
        var a = RandomStreams(seed: 1).learner(task: 0)
        var b = SeededGenerator(seed: 1, stream: 0)
        #expect(a.next() != b.next())
    }

    @Test func sinusoidRegressionTrainsAndEvaluatesAsMSE() throws {
        let tasks = try SinusoidTasks(shots: 5, queries: 10)
        let trainer = try MetaTrainer(learner: RegressionTestLearner(), optimizer: Adam(learningRate: 0.01),
                                      tasks: tasks, configuration: .init(metaBatchSize: 5, threads: 2, seed: 1))
        let state = try trainer.train(trainer.initialState(), until: 3)
        #expect(state.metrics.columns["mse"]?.count == 3)
        let result = try Evaluator(threads: 2).evaluate(trainer.learner, parameters: state.parameters, on: tasks,
                                                        indices: 0..<10)
        #expect(result.metricName == "mse" && result.perEpisode.allSatisfy { $0 >= 0 && $0.isFinite })
    }
}

extension MetricHistory {
    /// This history with the `seconds` column taken from `other` (timings differ between runs).
    func removingSeconds(from other: MetricHistory) -> MetricHistory {
        var copy = self
        copy.columns["seconds"] = other.columns["seconds"]
        return copy
    }
}
