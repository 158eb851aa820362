import Autograd
import MetaLearning
import Testing

@Suite struct LearningRateScheduleTests {
    @Test func multipliersFollowTheFormulas() {
        let cosine = LearningRateSchedule.cosine(horizon: 100)
        #expect(cosine.multiplier(atStep: 0) == 1)
        #expect(abs(cosine.multiplier(atStep: 50) - 0.5) < 1e-15)
        #expect(abs(cosine.multiplier(atStep: 25) - (0.5 + 0.5 * 0.5.squareRoot())) < 1e-15)
        #expect(cosine.multiplier(atStep: 100) == 0)
        #expect(cosine.multiplier(atStep: 250) == 0)
        let halving = LearningRateSchedule.step(every: 2000, factor: 0.5)
        #expect(halving.multiplier(atStep: 0) == 1 && halving.multiplier(atStep: 1999) == 1)
        #expect(halving.multiplier(atStep: 2000) == 0.5 && halving.multiplier(atStep: 4500) == 0.25)
        #expect(LearningRateSchedule.constant.multiplier(atStep: 123_456) == 1)
        let linear = LearningRateSchedule.linear(horizon: 400)
        #expect(linear.multiplier(atStep: 0) == 1 && linear.multiplier(atStep: 100) == 0.75)
        #expect(linear.multiplier(atStep: 300) == 0.25 && linear.multiplier(atStep: 400) == 0)
        #expect(linear.multiplier(atStep: 1000) == 0)
    }

    @Test func textFormRoundTripsAndBadFormsAreRejected() throws {
        for text in ["constant", "cosine:20000", "linear:100000", "step:2000:0.5"] {
            #expect(try LearningRateSchedule(parsing: text).description == text)
        }
        #expect(try LearningRateSchedule(parsing: "cosine", defaultHorizon: 300) == .cosine(horizon: 300))
        #expect(try LearningRateSchedule(parsing: "linear", defaultHorizon: 300) == .linear(horizon: 300))
        for bad in ["cosine", "cosine:0", "cosine:x", "step:0:0.5", "step:10:2", "step:10", "linear", "linear:0",
                    "linear:1:2", "triangle", "constant:1", ""] {
            #expect(throws: TrainingError.self, "\(bad)") { try LearningRateSchedule(parsing: bad) }
        }
    }

    static func trainer(_ optimizer: any MetaOptimizer, schedule: LearningRateSchedule = .constant) throws -> MetaTrainer {
        let tasks = try SyntheticImageTasks(classes: 0..<20, ways: 3, shots: 2, queries: 3, noise: 0.8)
        return try MetaTrainer(learner: PrototypeTestLearner(inputs: 64), optimizer: optimizer, tasks: tasks,
                               configuration: .init(metaBatchSize: 2, threads: 2, seed: 5, learningRateSchedule: schedule))
    }

    @Test func trainerAppliesTheScheduledRateAtEachStep() throws {
        // Halving every step: step 0 at 0.1, step 1 at 0.05, step 2 at 0.025. The same
        // steps made by constant-rate trainers of those rates give the same bits.
        let scheduled = try Self.trainer(SGD(learningRate: 0.1), schedule: .step(every: 1, factor: 0.5))
        let viaSchedule = try scheduled.train(scheduled.initialState(), until: 3)
        var manual = try Self.trainer(SGD(learningRate: 0.1)).initialState()
        for rate in [0.1, 0.05, 0.025] {
            manual = try Self.trainer(SGD(learningRate: rate)).step(manual).0
        }
        #expect(viaSchedule.parameters.flatValues == manual.parameters.flatValues)
        let constant = try Self.trainer(SGD(learningRate: 0.1))
        #expect(try constant.train(constant.initialState(), until: 3).parameters.flatValues
                != viaSchedule.parameters.flatValues)
    }

    @Test func scheduledRunsResumeExactlyAndBadSchedulesAreRefused() throws {
        let trainer = try Self.trainer(Adam(learningRate: 0.01), schedule: .cosine(horizon: 4))
        let straight = try trainer.train(trainer.initialState(), until: 4)
        let half = try trainer.train(trainer.initialState(), until: 2)
        let resumed = try trainer.resume(from: half.checkpoint(optimizerName: "adam", configJSON: "{}",
                                                               softwareVersion: "test"))
        #expect(try trainer.train(resumed, until: 4).parameters.flatValues == straight.parameters.flatValues)
        // The last step of a cosine schedule has a rate near 0, the one after the horizon exactly 0.
        let after = try trainer.step(straight).0
        #expect(after.parameters.flatValues == straight.parameters.flatValues)
        #expect(throws: TrainingError.self) { try Self.trainer(Adam(), schedule: .cosine(horizon: 0)) }
        #expect(throws: TrainingError.self) { try Self.trainer(Adam(), schedule: .step(every: 5, factor: 1.5)) }
    }
}
