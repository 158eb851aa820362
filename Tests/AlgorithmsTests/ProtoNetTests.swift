import Autograd
import BuiltinPlugins
import Foundation
import Layers
import MetaLearning
import ProtoNetPlugin
import Testing

@Suite struct ProtoNetTests {
    typealias Support = MetricAlgorithmTestSupport

    /// 1x16x16 synthetic images: the smallest size conv4-protonet accepts.
    static func images(classes: Range<Int>, ways: Int, shots: Int = 1, queries: Int = 5) throws -> SyntheticImageTasks {
        try SyntheticImageTasks(classes: classes, ways: ways, shots: shots, queries: queries, height: 16, width: 16)
    }

    @Test func registersWithDefaultsAndRejectsBadProblems() throws {
        let registry = try BuiltinPlugins.makeRegistry()
        let descriptor = try registry.algorithm(named: "protonet")
        #expect(descriptor.citation.contains("Snell") && descriptor.supportedProblems == [.classification])
        #expect(descriptor.options.map(\.name) == ["backbone"])
        let learner = try #require(try Support.learner("protonet", problem: Self.images(classes: 0..<10, ways: 5).problem)
            as? ProtoNet)
        let conv = try #require(learner.embedding as? Conv4)
        #expect(conv.variant == .protoNet && learner.name == "protonet")
        var rng = SeededGenerator(seed: 1)
        #expect(!learner.initialParameters(using: &rng).names.contains("head.weight"))
        #expect(throws: NetworkArchitectureError.inputTooSmall(backbone: "conv4-protonet", inputShape: [1, 8, 8])) {
            try Support.learner("protonet", problem: SyntheticImageTasks(height: 8, width: 8).problem)
        }
        #expect(throws: PluginRegistryError.self) {
            try Support.learner("protonet", problem: .regression(inputDimension: 1, outputDimension: 1))
        }
        #expect(throws: OptionError.self) {
            try Support.learner("protonet", problem: SyntheticImageTasks().problem, options: ["backbone": "resnet"])
        }
    }

    @Test func logitsAreNegativeSquaredDistancesToClassMeans() throws {
        let embedding = MLP(sizes: [4, 5, 3])
        let learner = ProtoNet(embedding: embedding)
        var rng = SeededGenerator(seed: 2)
        let p = learner.initialParameters(using: &rng)
        let task = try Support.vectorTask()
        let logits = try learner.predict(task: task, parameters: p, using: &rng)
        let s = embedding.apply(task.supportInputs, parameters: p).scalars
        let q = embedding.apply(task.queryInputs, parameters: p).scalars
        let labels = task.supportTargets.labels!
        var expected: [Float] = []
        for i in 0..<task.queryCount {
            for k in 0..<task.ways {
                let members = labels.indices.filter { labels[$0] == Int32(k) }
                var d = 0.0
                for j in 0..<3 {
                    let mean = members.map { Double(s[$0 * 3 + j]) }.reduce(0, +) / Double(members.count)
                    d += (Double(q[i * 3 + j]) - mean) * (Double(q[i * 3 + j]) - mean)
                }
                expected.append(Float(-d))
            }
        }
        #expect(logits.shape == [4, 3])
        #expect(zip(logits.scalars, expected).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) },
                "\(logits.scalars) vs \(expected)")
        let emptyClass = try Support.vectorTask(ways: 4)
        #expect(throws: ProtoNetError.classWithoutSupport(label: 3, ways: 4)) {
            try learner.predict(task: emptyClass, parameters: p, using: &rng)
        }
    }

    /// The key gradient: d(query loss)/d(embedding parameters) against
    /// central differences, on an MLP embedding (every entry) and on a
    /// Conv4 (8 channels) whose batch norm spans support and query (directional
    /// derivatives, see `checkDirectionalDerivatives`).
    @Test func embeddingGradientMatchesFiniteDifferences() throws {
        for (embedding, task) in [
            (MLP(sizes: [4, 5, 3]) as any Model, try Support.vectorTask()),
            (Conv4(variant: .protoNet, inputChannels: 1, hiddenChannels: 8) as any Model,
             try Self.images(classes: 0..<10, ways: 3, shots: 2, queries: 2).task(at: 0, seed: 4)),
        ] {
            let learner = ProtoNet(embedding: embedding)
            var rng = SeededGenerator(seed: 3)
            let p = learner.initialParameters(using: &rng)
            let g = try learner.taskGradient(for: task, parameters: p, using: &rng)
            let labels = task.queryTargets.labels!
            let loss: (ParameterSet) throws -> Double = { q in
                try withoutGradient {
                    Double(crossEntropy(logits: try learner.logits(for: task, parameters: q), labels: labels).scalar)
                }
            }
            let report = embedding is MLP
                ? try Support.checkGradient(g.gradients, at: p, entriesPerTensor: 40, loss: loss)
                : try Support.checkDirectionalDerivatives(g.gradients, at: p, loss: loss)
            #expect(report.worstRatio <= 1, "\(report)")
            #expect(abs(g.loss - (try loss(p))) < 1e-6)
        }
    }

    /// Trained on 10-way episodes, evaluated on 5-way episodes of held-out
    /// classes: training ways need not equal test ways. (The MLP backbone
    /// keeps the test at a fraction of a second; the Conv4 path is covered by
    /// the gradient and save/load tests.)
    @Test func learnsOnWiderTrainingEpisodesThanTestEpisodes() throws {
        let train = try SyntheticImageTasks(classes: 0..<30, ways: 10, shots: 1, queries: 5)
        let test = try SyntheticImageTasks(classes: 30..<45, ways: 5, shots: 1, queries: 5)
        let learner = try Support.learner("protonet", problem: train.problem, options: ["backbone": "mlp"])
        let trainer = try MetaTrainer(learner: learner, optimizer: Adam(learningRate: 0.005), tasks: train,
                                      configuration: .init(metaBatchSize: 4, threads: 2, seed: 5))
        let initial = trainer.initialState()
        let before = try Support.heldOut(learner, initial.parameters, on: test)
        let clock = ContinuousClock(), start = clock.now
        let trained = try trainer.train(initial, until: 30)
        let after = try Support.heldOut(learner, trained.parameters, on: test)
        print("protonet: 5-way 1-shot held-out accuracy \(before) -> \(after) after 30 steps of 10-way episodes; "
              + "train loss \(Support.tailMean(trained, "loss")); \(clock.now - start)")
        #expect(after >= 0.75 && after > before + 0.3, "before \(before), after \(after)")
    }

    /// One episode per step leaves a worker idle, so the episode's kernels are
    /// split over both threads (IntraOpParallelism): the parameters after
    /// training are the same bits as with one thread.
    @Test func oneEpisodePerStepGivesTheSameBitsOnOneAndTwoThreads() throws {
        let tasks = try SyntheticImageTasks(classes: 0..<20, ways: 5, shots: 1, queries: 15, height: 28, width: 28)
        let learner = try Support.learner("protonet", problem: tasks.problem)
        func train(threads: Int) throws -> [Float] {
            let trainer = try MetaTrainer(learner: learner, optimizer: Adam(learningRate: 0.005), tasks: tasks,
                                          configuration: .init(metaBatchSize: 1, threads: threads, seed: 8))
            return try trainer.train(trainer.initialState(), until: 2).parameters.tensors.flatMap(\.scalars)
        }
        let one = try train(threads: 1), two = try train(threads: 2)
        #expect(one == two)
        #expect(one != (try MetaTrainer(learner: learner, optimizer: Adam(learningRate: 0.005), tasks: tasks,
                                        configuration: .init(metaBatchSize: 1, seed: 8)).initialState().parameters.tensors.flatMap(\.scalars)))
    }

    /// `ConvolutionAlgorithm` set around training reaches the trainer's worker
    /// threads: two tasks on two workers under `.im2col` give the bits of one
    /// worker under `.im2col`, and those differ from Winograd's (the Conv4
    /// ProtoNet backbone's 14x14 and 7x7 layers qualify for it).
    @Test func convolutionAlgorithmReachesTheTrainersWorkers() throws {
        let tasks = try SyntheticImageTasks(classes: 0..<20, ways: 5, shots: 1, queries: 5, height: 28, width: 28)
        let learner = try Support.learner("protonet", problem: tasks.problem)
        func train(threads: Int, _ algorithm: ConvolutionAlgorithm) throws -> [Float] {
            try ConvolutionAlgorithm.with(algorithm) {
                let trainer = try MetaTrainer(learner: learner, optimizer: Adam(learningRate: 0.005), tasks: tasks,
                                              configuration: .init(metaBatchSize: 2, threads: threads, seed: 9))
                return try trainer.train(trainer.initialState(), until: 2).parameters.tensors.flatMap(\.scalars)
            }
        }
        let im2colOne = try train(threads: 1, .im2col), im2colTwo = try train(threads: 2, .im2col)
        let winogradTwo = try train(threads: 2, .automatic)
        // Compared outside #expect, which would print every value on a failure.
        let sameAlgorithm = im2colOne == im2colTwo, visible = im2colTwo != winogradTwo
        #expect(sameAlgorithm, "the workers must use the caller's algorithm")
        #expect(visible, "Winograd rounds differently, so the choice is visible")
    }

    @Test func savedAndLoadedParametersPredictIdentically() throws {
        let tasks = try Self.images(classes: 0..<20, ways: 5)
        let learner = try Support.learner("protonet", problem: tasks.problem)
        let p = try Support.checkpointPredictions(learner, on: tasks)
        #expect(p.restored == p.trained)
        #expect(p.initial != p.trained)
    }
}
