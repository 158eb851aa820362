import Autograd
import BuiltinPlugins
import Foundation
import Layers
import MatchingNetPlugin
import MetaLearning
import Testing

@Suite struct MatchingNetTests {
    typealias Support = MetricAlgorithmTestSupport

    static func images(classes: Range<Int>, ways: Int = 5, shots: Int = 1, queries: Int = 5) throws -> SyntheticImageTasks {
        try SyntheticImageTasks(classes: classes, ways: ways, shots: shots, queries: queries, height: 16, width: 16)
    }

    @Test func registersWithDefaultsAndChecksOptions() throws {
        let descriptor = try BuiltinPlugins.makeRegistry().algorithm(named: "matchingnet")
        #expect(descriptor.citation.contains("Vinyals") && descriptor.supportedProblems == [.classification])
        #expect(descriptor.options.map(\.name) == ["backbone", "scale"])
        let problem = try Self.images(classes: 0..<10).problem
        let learner = try #require(try Support.learner("matchingnet", problem: problem) as? MatchingNet)
        #expect(learner.scale == 1 && (learner.embedding as? Conv4)?.variant == .protoNet)
        #expect(throws: MatchingNetError.invalidScale(0)) {
            try Support.learner("matchingnet", problem: problem, options: ["scale": "0"])
        }
        #expect(throws: NetworkArchitectureError.inputTooSmall(backbone: "conv4-protonet", inputShape: [1, 8, 8])) {
            try Support.learner("matchingnet", problem: SyntheticImageTasks().problem)
        }
    }

    /// `predict` is log Σ_i softmax_i(scale · cos(f(x), f(x_i))) y_i, computed here independently in Double.
    @Test func predictionsAreCosineAttentionOverSupportLabels() throws {
        let embedding = MLP(sizes: [4, 6, 3])
        let learner = try MatchingNet(embedding: embedding, scale: 3)
        var rng = SeededGenerator(seed: 2)
        let p = learner.initialParameters(using: &rng)
        let task = try Support.vectorTask()
        let output = try learner.predict(task: task, parameters: p, using: &rng)
        let s = embedding.apply(task.supportInputs, parameters: p).scalars.map(Double.init)
        let q = embedding.apply(task.queryInputs, parameters: p).scalars.map(Double.init)
        let labels = task.supportTargets.labels!
        func row(_ v: [Double], _ i: Int) -> [Double] { Array(v[(i * 3)..<(i * 3 + 3)]) }
        func cosine(_ a: [Double], _ b: [Double]) -> Double {
            zip(a, b).map { $0 * $1 }.reduce(0, +)
                / (a.map { $0 * $0 }.reduce(0, +).squareRoot() * b.map { $0 * $0 }.reduce(0, +).squareRoot())
        }
        var expected: [Double] = []
        for i in 0..<task.queryCount {
            let weights = labels.indices.map { exp(3 * cosine(row(q, i), row(s, $0))) }
            let total = weights.reduce(0, +)
            for k in 0..<task.ways {
                expected.append(log(labels.indices.filter { labels[$0] == Int32(k) }.map { weights[$0] }.reduce(0, +) / total))
            }
        }
        #expect(output.shape == [4, 3])
        #expect(zip(output.scalars, expected).allSatisfy { abs(Double($0) - $1) <= 1e-4 }, "\(output.scalars) vs \(expected)")
    }

    @Test func embeddingGradientMatchesFiniteDifferences() throws {
        for (embedding, task) in [
            (MLP(sizes: [4, 5, 3]) as any Model, try Support.vectorTask()),
            (Conv4(variant: .protoNet, inputChannels: 1, hiddenChannels: 8) as any Model,
             try Self.images(classes: 0..<10, ways: 3, shots: 2, queries: 2).task(at: 0, seed: 4)),
        ] {
            let learner = try MatchingNet(embedding: embedding, scale: 5)
            var rng = SeededGenerator(seed: 3)
            let p = learner.initialParameters(using: &rng)
            let g = try learner.taskGradient(for: task, parameters: p, using: &rng)
            let labels = task.queryTargets.labels!
            let loss: (ParameterSet) throws -> Double = { q in
                try withoutGradient {
                    // -mean log ŷ_label, read straight off the log-probabilities.
                    let logProbabilities = try learner.logProbabilities(for: task, parameters: q).scalars
                    return -labels.enumerated().map { Double(logProbabilities[$0 * task.ways + Int($1)]) }
                        .reduce(0, +) / Double(labels.count)
                }
            }
            let report = embedding is MLP
                ? try Support.checkGradient(g.gradients, at: p, entriesPerTensor: 40, loss: loss)
                : try Support.checkDirectionalDerivatives(g.gradients, at: p, loss: loss)
            #expect(report.worstRatio <= 1, "\(report)")
        }
    }

    /// 5-way 1-shot synthetic images with the MLP backbone (a fraction of
    /// a second; the Conv4 path is covered by the gradient and save/load tests).
    @Test func learnsFiveWayOneShot() throws {
        let (before, after) = try Support.fiveWayOneShotLearning("matchingnet")
        #expect(after >= 0.55 && after > before + 0.15, "before \(before), after \(after)")
    }

    @Test func savedAndLoadedParametersPredictIdentically() throws {
        let tasks = try Self.images(classes: 0..<20)
        let learner = try Support.learner("matchingnet", problem: tasks.problem)
        let p = try Support.checkpointPredictions(learner, on: tasks)
        #expect(p.restored == p.trained)
        #expect(p.initial != p.trained)
    }
}
