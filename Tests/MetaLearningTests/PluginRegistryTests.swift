import Synchronization
import SinusoidPlugin
import Autograd
import BuiltinPlugins
import MetaLearning
import Testing

@Suite struct PluginRegistryTests {
    static func descriptor(_ name: String, problems: Set<ProblemSpec.Kind> = [.classification, .regression])
        -> AlgorithmDescriptor {
        AlgorithmDescriptor(name: name, summary: "test learner \(name)", citation: "none",
                            options: [.int("hidden", default: 16, help: "hidden units")],
                            supportedProblems: problems,
                            factory: { context in
                                let hidden = try context.options.int("hidden")
                                return PrototypeTestLearner(inputs: context.problem.inputShape.reduce(1, *),
                                                            hidden: hidden)
                            })
    }

    @Test func duplicateNamesAreTypedErrors() throws {
        var r = PluginRegistry()
        try r.registerAlgorithm(Self.descriptor("proto"))
        #expect(throws: PluginRegistryError.duplicateAlgorithm("proto")) { try r.registerAlgorithm(Self.descriptor("proto")) }
        try r.register(SinusoidPlugin.self)
        #expect(throws: PluginRegistryError.duplicateDataset("sinusoid")) { try r.register(SinusoidPlugin.self) }
        #expect(throws: PluginRegistryError.invalidName("Bad")) { try r.registerAlgorithm(Self.descriptor("Bad")) }
    }

    @Test func lookupsAndListing() throws {
        var r = PluginRegistry()
        try r.registerAlgorithm(Self.descriptor("proto"))
        try r.register(SinusoidPlugin.self)
        #expect(r.algorithmNames == ["proto"] && r.datasetNames == ["sinusoid"])
        #expect(throws: PluginRegistryError.unknownAlgorithm("maml", known: ["proto"])) { try r.algorithm(named: "maml") }
        #expect(throws: PluginRegistryError.unknownDataset("mnist", known: ["sinusoid"])) { try r.dataset(named: "mnist") }
        let listing = r.listing()
        #expect(listing.contains("proto") && listing.contains("test learner proto"))
        #expect(listing.contains("sinusoid") && listing.contains("[generated]"))
        #expect(PluginRegistry.describe(options: r.algorithms[0].options).contains("hidden (int, default 16)"))
    }

    @Test func factoriesReceiveCheckedOptionsAndProblem() throws {
        var r = PluginRegistry()
        try r.registerAlgorithm(Self.descriptor("proto", problems: [.classification]))
        let problem = ProblemSpec.classification(ways: 5, channels: 1, height: 4, width: 4, trainingClasses: 10)
        let learner = try r.algorithm(named: "proto").makeLearner(problem: problem, options: ["hidden": "4"])
        #expect(learner.name == "prototype-test")
        var rng = SeededGenerator(seed: 0)
        #expect(learner.initialParameters(using: &rng)["fc1.weight"]?.shape == [4, 16])
        #expect(throws: OptionError.self) {
            try r.algorithm(named: "proto").makeLearner(problem: problem, options: ["hiden": "4"])
        }
        #expect(throws: PluginRegistryError.unsupportedProblem(algorithm: "proto", problem: .regression)) {
            try r.algorithm(named: "proto").makeLearner(problem: .regression(inputDimension: 1, outputDimension: 1))
        }
    }

    @Test func datasetSourcesAreChecked() throws {
        var r = PluginRegistry()
        try r.register(SinusoidPlugin.self)
        try r.registerDataset(DatasetDescriptor(
            name: "tiny", summary: "a tiny imported dataset", citation: "none",
            options: [.string("source", default: "", help: "path")],
            source: .imported { _, progress in
                progress(ImportProgress(stage: "reading", completed: 1, total: 1))
                return Fixtures.tinyDataset()
            }))
        let sinusoid = try r.dataset(named: "sinusoid")
        #expect(throws: PluginRegistryError.notImported(dataset: "sinusoid")) { try sinusoid.importDataset() }
        let tasks = try sinusoid.makeTasks(options: ["shots": "5", "queries": "7"], seed: 0)
        #expect(tasks.problem == .regression(inputDimension: 1, outputDimension: 1))
        let task = try tasks.task(at: 0, seed: 0)
        #expect(task.supportCount == 5 && task.queryCount == 7)
        #expect(throws: OptionError.self) { try sinusoid.makeTasks(options: ["shots": "x"], seed: 0) }
        let tiny = try r.dataset(named: "tiny")
        #expect(throws: PluginRegistryError.notGenerated(dataset: "tiny")) { try tiny.makeTasks(seed: 0) }
        let seen = ProgressLog()
        let dataset = try tiny.importDataset(progress: { seen.add($0) })
        #expect(dataset.count == 60 && seen.count == 1)
    }

    @Test func builtinRegistryListsSinusoid() throws {
        let r = try BuiltinPlugins.makeRegistry()
        #expect(r.datasetNames.contains("sinusoid"))
        #expect(BuiltinPlugins.all.count >= 1)
    }
}

/// Thread-safe progress recorder.
final class ProgressLog: Sendable {
    private let storage = Mutex<[ImportProgress]>([])
    func add(_ p: ImportProgress) { storage.withLock { $0.append(p) } }
    var count: Int { storage.withLock { $0.count } }
}
