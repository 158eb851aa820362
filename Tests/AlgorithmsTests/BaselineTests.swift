import Autograd
import BaselinePlugin
import BuiltinPlugins
import Foundation
import Layers
import MetaLearning
import Testing

@Suite struct BaselineTests {
    typealias Support = MetricAlgorithmTestSupport

    static func images(classes: Range<Int>, ways: Int = 5, shots: Int = 1, queries: Int = 5) throws -> SyntheticImageTasks {
        try SyntheticImageTasks(classes: classes, ways: ways, shots: shots, queries: queries, height: 16, width: 16)
    }

    @Test func registersWithThePapersDefaultsAndChecksOptions() throws {
        let descriptor = try BuiltinPlugins.makeRegistry().algorithm(named: "baseline")
        #expect(descriptor.citation.contains("Chen") && descriptor.supportedProblems == [.classification])
        let problem = try Self.images(classes: 0..<30).problem
        let learner = try #require(try Support.learner("baseline", problem: problem) as? Baseline)
        #expect(learner.trainingClasses == 30 && learner.featureDimension == 64 && learner.classifier == .linear
                && learner.fineTuneOptimizer == .sgd && learner.fineTuneSteps == 100 && learner.fineTuneLearningRate == 0.01)
        var rng = SeededGenerator(seed: 1)
        let p = learner.initialParameters(using: &rng)
        #expect(p["head.weight"]?.shape == [30, 64] && p["head.bias"]?.shape == [30])
        let cosine = try Support.learner("baseline", problem: problem, options: ["classifier": "cosine"])
        let q = cosine.initialParameters(using: &rng)
        #expect(q["head.norm"]?.shape == [30] && q["head.bias"] == nil)
        #expect(throws: BaselineError.invalidOption(name: "classifier", value: "svm", expected: "linear or cosine")) {
            try Support.learner("baseline", problem: problem, options: ["classifier": "svm"])
        }
        #expect(throws: BaselineError.self) {
            try Support.learner("baseline", problem: problem, options: ["finetune-steps": "-3"])
        }
        #expect(throws: NetworkArchitectureError.inputTooSmall(backbone: "conv4-protonet", inputShape: [1, 8, 8])) {
            try Support.learner("baseline", problem: SyntheticImageTasks().problem, options: ["backbone": "conv4-protonet"])
        }
        // A learner built for 30 classes cannot pre-train on class 40.
        let outside = try Self.images(classes: 30..<45).task(at: 0, seed: 1)
        #expect(throws: BaselineError.globalLabelOutOfRange(label: outside.supportGlobalLabels![0], trainingClasses: 30)) {
            try learner.taskGradient(for: outside, parameters: p, using: &rng)
        }
    }

    /// The key gradient: the pre-training cross-entropy over all training
    /// classes (global labels of support and query examples) against
    /// central differences, for both classifiers.
    @Test func classifierGradientMatchesFiniteDifferences() throws {
        let task = try Support.vectorTask()       // global classes 10, 13, 16
        for classifier in Baseline.Classifier.allCases {
            let learner = try Baseline(backbone: MLP(sizes: [4, 5, 3]), featureDimension: 3,
                                       trainingClasses: 20, classifier: classifier)
            var rng = SeededGenerator(seed: 3)
            let p = learner.initialParameters(using: &rng)
            let g = try learner.taskGradient(for: task, parameters: p, using: &rng)
            let labels = task.supportGlobalLabels! + task.queryGlobalLabels!
            #expect(labels.first == 16 && labels.count == 10)
            let report = Support.checkGradient(g.gradients, at: p, entriesPerTensor: 60) { q in
                withoutGradient {
                    let x = Tensor.concat([task.supportInputs, task.queryInputs], axis: 0)
                    let logits = learner.classifierLogits(learner.backbone.apply(x, parameters: q), parameters: q,
                                                          prefix: "head")
                    return Double(crossEntropy(logits: logits, labels: labels).scalar)
                }
            }
            #expect(report.worstRatio <= 1, "\(classifier): \(report)")
            #expect(g.gradients["head.weight"]!.scalars.contains { $0 != 0 })
        }
    }

    /// Prediction fits a new `ways`-output classifier on frozen support
    /// features: its support loss falls, it reproduces the support labels,
    /// and the backbone gets no gradient.
    @Test func fineTuningFitsANewHeadOnTheSupportSet() throws {
        for classifier in Baseline.Classifier.allCases {
            let learner = try Baseline(backbone: MLP(sizes: [4, 16], activateLast: true), featureDimension: 16,
                                       trainingClasses: 20, classifier: classifier, fineTuneSteps: 200,
                                       fineTuneLearningRate: 0.1)
            let task = try Support.vectorTask()
            var rng = SeededGenerator(seed: 8)
            let p = learner.initialParameters(using: &rng)
            let features = withoutGradient { learner.backbone.apply(task.supportInputs, parameters: p) }
            let labels = task.supportTargets.labels!
            var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
            let start = learner.initialClassifier(classes: 3, prefix: "task", using: &a)
            let fitted = learner.fineTunedClassifier(features: features, labels: labels, ways: 3, using: &b)
            func loss(_ head: ParameterSet) -> Float {
                withoutGradient {
                    crossEntropy(logits: learner.classifierLogits(features, parameters: head, prefix: "task"),
                                 labels: labels).scalar
                }
            }
            let fittedLogits = withoutGradient { learner.classifierLogits(features, parameters: fitted, prefix: "task") }
            #expect(loss(fitted) < 0.5 * loss(start), "\(classifier): \(loss(start)) -> \(loss(fitted))")
            #expect(TaskMetrics.accuracy(logits: fittedLogits, labels: labels) == 1)
            let logits = try learner.predict(task: task, parameters: p, using: &rng)
            #expect(logits.shape == [task.queryCount, 3] && logits.requiresGradient == false)
        }
    }

    /// Pre-training on 10-way batches of 30 classes, then fine-tuning on
    /// 5-way 1-shot tasks of held-out classes (MLP backbone, a fraction of a
    /// second; the Conv4 path is covered by the save/load test).
    @Test func learnsByPretrainingOnAllTrainingClasses() throws {
        let train = try SyntheticImageTasks(classes: 0..<30, ways: 10, shots: 2, queries: 3)
        let test = try SyntheticImageTasks(classes: 30..<45, ways: 5, shots: 1, queries: 5)
        let learner = try Support.learner("baseline", problem: train.problem, options: ["backbone": "mlp"])
        let trainer = try MetaTrainer(learner: learner, optimizer: Adam(learningRate: 0.005), tasks: train,
                                      configuration: .init(metaBatchSize: 4, threads: 2, seed: 5))
        let initial = trainer.initialState()
        let before = try Support.heldOut(learner, initial.parameters, on: test)
        let clock = ContinuousClock(), start = clock.now
        let trained = try trainer.train(initial, until: 40)
        let after = try Support.heldOut(learner, trained.parameters, on: test)
        print("baseline: pre-training accuracy \(Support.tailMean(trained, "accuracy")) over 30 classes; "
              + "5-way 1-shot held-out accuracy \(before) -> \(after) after 40 steps; \(clock.now - start)")
        #expect(Support.tailMean(trained, "accuracy") > 0.45)
        #expect(after >= 0.7 && after > before + 0.25, "before \(before), after \(after)")
    }

    @Test func savedAndLoadedParametersPredictIdentically() throws {
        let tasks = try Self.images(classes: 0..<20)
        let learner = try Support.learner("baseline", problem: tasks.problem,
                                          options: ["classifier": "cosine", "finetune-steps": "5"])
        let p = try Support.checkpointPredictions(learner, on: tasks)
        #expect(p.restored == p.trained)
        #expect(p.initial != p.trained)
    }
}
