import Autograd
import MetaLearning
import SinusoidPlugin
import Testing

/// Same seed and thread count give bit-identical episodes, tasks and training results.
@Suite struct ReproducibilityTests {
    @Test func episodesAndTasksAreBitIdentical() throws {
        let dataset = Fixtures.tinyDataset()
        let a = try EpisodeCacheBuilder(count: 30, seed: 9).build(dataset: dataset, split: "train", ways: 4,
                                                                   shots: 2, queries: 2)
        let b = try EpisodeCacheBuilder(count: 30, seed: 9).build(dataset: dataset, split: "train", ways: 4,
                                                                   shots: 2, queries: 2)
        #expect(a == b)
        // Episode i does not depend on which other episodes were drawn before it.
        let sampler = try EpisodeSampler(dataset: dataset, split: "train", ways: 4, shots: 2, queries: 2)
        #expect(sampler.episode(at: 17, seed: 9) == a.episodes[17])
        let sinusoid = try SinusoidTasks()
        #expect(try sinusoid.task(at: 5, seed: 2).supportTargets.values!.scalars
                == sinusoid.task(at: 5, seed: 2).supportTargets.values!.scalars)
        let synthetic = try SyntheticImageTasks()
        #expect(try synthetic.task(at: 5, seed: 2).queryInputs.scalars == synthetic.task(at: 5, seed: 2).queryInputs.scalars)
    }

    @Test func trainingOnImageEpisodesIsBitIdentical() throws {
        let dataset = Fixtures.tinyDataset()
        let tasks = try EpisodicTasks(dataset: dataset, sampler: EpisodeSampler(dataset: dataset, split: "train",
                                                                                 ways: 3, shots: 2, queries: 2))
        func run(threads: Int) throws -> TrainingState {
            let trainer = try MetaTrainer(learner: PrototypeTestLearner(inputs: 16), optimizer: SGD(learningRate: 0.05, momentum: 0.9),
                                          tasks: tasks, configuration: .init(metaBatchSize: 3, threads: threads, seed: 4))
            return try trainer.train(trainer.initialState(), until: 3)
        }
        let a = try run(threads: 2), b = try run(threads: 2), c = try run(threads: 1)
        #expect(a.parameters.flatValues == b.parameters.flatValues)
        #expect(a.parameters.flatValues == c.parameters.flatValues)
        #expect(a.optimizerState == b.optimizerState)
    }
}
