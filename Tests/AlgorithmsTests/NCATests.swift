import Autograd
import BuiltinPlugins
import Foundation
import Layers
import MetaLearning
import NCAPlugin
import Testing

/// Tests of the example plugin of docs/adding-an-algorithm.md, and of the
/// guide itself: its Swift code blocks must be verbatim excerpts of the
/// plugin, its registration and its tests, so the guide cannot drift.
@Suite struct NCATests {
    typealias Support = MetricAlgorithmTestSupport

    static func images(classes: Range<Int>, ways: Int = 5, shots: Int = 1, queries: Int = 5) throws -> SyntheticImageTasks {
        try SyntheticImageTasks(classes: classes, ways: ways, shots: shots, queries: queries, height: 16, width: 16)
    }

    @Test func registersWithDefaultsAndChecksOptions() throws {
        let descriptor = try BuiltinPlugins.makeRegistry().algorithm(named: "nca")
        #expect(descriptor.citation.contains("Laenen") && descriptor.supportedProblems == [.classification])
        let problem = try Self.images(classes: 0..<10).problem
        let learner = try #require(try Support.learner("nca", problem: problem) as? NCA)
        #expect(learner.temperature == 1 && (learner.embedding as? Conv4)?.variant == .protoNet)
        #expect(throws: NCAError.invalidTemperature(-1)) {
            try Support.learner("nca", problem: problem, options: ["temperature": "-1"])
        }
        #expect(throws: NetworkArchitectureError.inputTooSmall(backbone: "conv4-protonet", inputShape: [1, 8, 8])) {
            try Support.learner("nca", problem: SyntheticImageTasks().problem)
        }
    }

    /// The loss is -(1/n) Σ_i log(Σ_{j≠i, same class} e^{-d²_ij/τ} / Σ_{j≠i} e^{-d²_ij/τ}),
    /// recomputed here in Double from the embeddings.
    @Test func lossIsTheLeaveOneOutNeighbourhoodLikelihood() throws {
        let embedding = MLP(sizes: [4, 6, 3])
        let learner = try NCA(embedding: embedding, temperature: 0.5)
        var rng = SeededGenerator(seed: 2)
        let p = learner.initialParameters(using: &rng)
        let task = try Support.vectorTask()
        let labels = task.supportTargets.labels! + task.queryTargets.labels!
        let z = embedding.apply(Tensor.concat([task.supportInputs, task.queryInputs], axis: 0), parameters: p)
            .scalars.map(Double.init)
        let n = labels.count
        var expected = 0.0
        for i in 0..<n {
            var same = 0.0, all = 0.0
            for j in 0..<n where j != i {
                let d = (0..<3).map { (z[i * 3 + $0] - z[j * 3 + $0]) * (z[i * 3 + $0] - z[j * 3 + $0]) }.reduce(0, +)
                all += exp(-d / 0.5)
                if labels[j] == labels[i] { same += exp(-d / 0.5) }
            }
            expected -= log(same / all) / Double(n)
        }
        let gradient = try learner.taskGradient(for: task, parameters: p, using: &rng)
        #expect(abs(gradient.loss - expected) < 1e-5, "loss \(gradient.loss), expected \(expected)")
        let single = try Support.vectorTask(supportLabels: [0, 1, 2, 1, 2], queryLabels: [1, 2])
        #expect(throws: NCAError.classWithoutNeighbour(label: 0)) {
            try learner.taskGradient(for: single, parameters: p, using: &rng)
        }
    }

    @Test func embeddingGradientMatchesFiniteDifferences() throws {
        for (embedding, task) in [
            (MLP(sizes: [4, 5, 3]) as any Model, try Support.vectorTask()),
            (Conv4(variant: .protoNet, inputChannels: 1, hiddenChannels: 8) as any Model,
             try Self.images(classes: 0..<10, ways: 3, shots: 2, queries: 2).task(at: 0, seed: 4)),
        ] {
            let learner = try NCA(embedding: embedding)
            var rng = SeededGenerator(seed: 3)
            let p = learner.initialParameters(using: &rng)
            let g = try learner.taskGradient(for: task, parameters: p, using: &rng)
            let labels = task.supportTargets.labels! + task.queryTargets.labels!
            let loss: (ParameterSet) throws -> Double = { q in
                try withoutGradient {
                    Double(try learner.loss(embeddings: learner.embeddings(of: task, parameters: q), labels: labels).scalar)
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
        let (before, after) = try Support.fiveWayOneShotLearning("nca")
        #expect(after >= 0.75 && after > before + 0.3, "before \(before), after \(after)")
    }

    @Test func savedAndLoadedParametersPredictIdentically() throws {
        let tasks = try Self.images(classes: 0..<20)
        let learner = try Support.learner("nca", problem: tasks.problem)
        let p = try Support.checkpointPredictions(learner, on: tasks)
        #expect(p.restored == p.trained)
        #expect(p.initial != p.trained)
    }

    /// Every ```swift block of docs/adding-an-algorithm.md appears verbatim
    /// in one of the files the guide walks through.
    @Test func guideCodeBlocksAreVerbatimExcerptsOfTheExamplePlugin() throws {
        let root = Support.repositoryRoot
        let guide = try String(contentsOf: root.appendingPathComponent("docs/adding-an-algorithm.md"), encoding: .utf8)
        let sources = try [
            "Plugins/Algorithms/NCA/NCA.swift", "Plugins/Algorithms/NCA/NCAPlugin.swift",
            "Plugins/Algorithms/NCA/NCAError.swift", "Package.swift", "Sources/BuiltinPlugins/BuiltinPlugins.swift",
            "Tests/AlgorithmsTests/NCATests.swift",
        ].map { try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8) }
        let blocks = Self.codeBlocks(in: guide, language: "swift")
        #expect(blocks.count >= 10, "the guide should show the plugin, its registration and its tests")
        for block in blocks {
            #expect(sources.contains { $0.contains(block) }, "guide block not found verbatim in the sources:\n\(block)")
        }
        // What the guide says in prose: the target list names the folder, and a doc page exists.
        let targetList = sources[3].split(separator: "\n").first { $0.hasPrefix("let algorithmPlugins = [") }
        #expect(targetList?.contains("\"NCA\"") == true)
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("docs/algorithms/nca.md").path))
        #expect(try BuiltinPlugins.makeRegistry().algorithmNames.contains("nca"))
    }

    /// The bodies of the fenced code blocks of `markdown` tagged `language`.
    static func codeBlocks(in markdown: String, language: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```\(language)" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }
}
