import Autograd
import MetaLearning
import Testing

@Suite struct SamplerTests {
    let dataset = Fixtures.tinyDataset()

    @Test func episodesAreWellFormedAndDeterministic() throws {
        let sampler = try EpisodeSampler(dataset: dataset, split: "train", ways: 3, shots: 2, queries: 3)
        for i in 0..<20 {
            let e = sampler.episode(at: i, seed: 7)
            #expect(e == sampler.episode(at: i, seed: 7))
            #expect(e.ways == 3 && Set(e.classes).count == 3)
            #expect(e.classes.allSatisfy { (0..<6).contains($0) })
            #expect(e.supportIndices.count == 6 && e.queryIndices.count == 9)
            #expect(e.supportLabels == [0, 0, 1, 1, 2, 2])
            #expect(e.queryLabels == [0, 0, 0, 1, 1, 1, 2, 2, 2])
            #expect(Set(e.supportIndices + e.queryIndices).count == 15)
            for (index, label) in zip(e.supportIndices + e.queryIndices, e.supportLabels + e.queryLabels) {
                #expect(dataset.labels[Int(index)] == e.classes[Int(label)])
            }
        }
        let distinct = Set((0..<20).map { sampler.episode(at: $0, seed: 7) })
        #expect(distinct.count == 20)
        #expect(sampler.episode(at: 0, seed: 7) != sampler.episode(at: 0, seed: 8))
    }

    @Test func classOrderIsShuffled() throws {
        let sampler = try EpisodeSampler(dataset: dataset, split: "train", ways: 3, shots: 1, queries: 1)
        let unsorted = (0..<50).filter { let c = sampler.episode(at: $0, seed: 1).classes; return c != c.sorted() }
        #expect(unsorted.count > 20)
    }

    @Test func badConfigurationsAreTypedErrors() {
        #expect(throws: SamplerError.unknownSplit(dataset: "tiny", split: "val", available: ["test", "train"])) {
            try EpisodeSampler(dataset: dataset, split: "val", ways: 2, shots: 1, queries: 1)
        }
        #expect(throws: SamplerError.tooFewClasses(dataset: "tiny", split: "test", needed: 5, available: 4)) {
            try EpisodeSampler(dataset: dataset, split: "test", ways: 5, shots: 1, queries: 1)
        }
        #expect(throws: SamplerError.tooFewSamples(dataset: "tiny", className: "class0", needed: 7, available: 6)) {
            try EpisodeSampler(dataset: dataset, split: nil, ways: 2, shots: 2, queries: 5)
        }
        #expect(throws: SamplerError.self) { try EpisodeSampler(dataset: dataset, split: nil, ways: 0, shots: 1, queries: 1) }
    }

    @Test func variableEpisodesFollowMetaDatasetRules() throws {
        var big = Fixtures.tinyDataset(samplesPerClass: 30)
        big.splits["all"] = Array(0..<10)
        let config = VariableEpisodeSampler.Configuration(minWays: 3, maxWays: 8, maxSupportSize: 60)
        let sampler = try VariableEpisodeSampler(dataset: big, split: "all", configuration: config)
        #expect(sampler.ways == 8 && sampler.queries == 10)
        var waysSeen = Set<Int>(), shotCounts = Set<Int>()
        for i in 0..<40 {
            let e = sampler.episode(at: i, seed: 3)
            #expect(e == sampler.episode(at: i, seed: 3))
            #expect((3...8).contains(e.ways))
            waysSeen.insert(e.ways)
            #expect(e.supportIndices.count <= 60 && e.supportIndices.count >= e.ways)
            #expect(Set(e.supportIndices + e.queryIndices).count == e.supportIndices.count + e.queryIndices.count)
            let q = e.queryIndices.count / e.ways
            #expect(q == 10 && e.queryIndices.count == q * e.ways)
            for k in 0..<e.ways {
                let shots = e.supportLabels.filter { $0 == Int32(k) }.count
                #expect(shots >= 1 && shots <= 20)
                shotCounts.insert(shots)
            }
            for (index, label) in zip(e.supportIndices, e.supportLabels) {
                #expect(big.labels[Int(index)] == e.classes[Int(label)])
            }
        }
        #expect(waysSeen.count > 3)
        #expect(shotCounts.count > 5)
        #expect(throws: SamplerError.self) {
            try VariableEpisodeSampler(dataset: big, split: "all",
                                       configuration: .init(minWays: 20, maxWays: 30))
        }
    }

    @Test func episodicTasksMaterialisePixelsOver255() throws {
        let sampler = try EpisodeSampler(dataset: dataset, split: "train", ways: 2, shots: 1, queries: 2)
        let tasks = try EpisodicTasks(dataset: dataset, sampler: sampler)
        #expect(tasks.problem == .classification(ways: 2, channels: 1, height: 4, width: 4, trainingClasses: 10))
        let e = sampler.episode(at: 3, seed: 9)
        let task = try tasks.task(at: 3, seed: 9)
        #expect(task.supportInputs.shape == [2, 1, 4, 4] && task.queryInputs.shape == [4, 1, 4, 4])
        #expect(task.classes == e.classes && task.ways == 2)
        #expect(task.supportTargets.labels == e.supportLabels)
        #expect(task.supportGlobalLabels == e.supportIndices.map { dataset.labels[Int($0)] })
        let values = task.queryInputs.scalars
        for (row, index) in e.queryIndices.enumerated() {
            for k in 0..<16 {
                #expect(values[row * 16 + k] == Float(dataset.pixels[Int(index) * 16 + k]) / 255)
            }
        }
    }

    @Test func cachedEpisodesReplayTheCacheAndCheckTheFingerprint() throws {
        let cache = try EpisodeCacheBuilder(count: 12, seed: 5)
            .build(dataset: dataset, split: "test", ways: 3, shots: 1, queries: 2)
        #expect(cache.episodes.count == 12 && cache.seed == 5 && cache.split == "test" && cache.ways == 3)
        #expect(cache.datasetFingerprint == dataset.fingerprint)
        #expect(EpisodeCacheBuilder().count == 600 && EpisodeCacheBuilder().seed == 1)
        let cached = try CachedEpisodes(dataset: dataset, episodes: cache)
        #expect(cached.taskCount == 12)
        let sampler = try EpisodeSampler(dataset: dataset, split: "test", ways: 3, shots: 1, queries: 2)
        let live = EpisodicTasks(materializer: cached.materializer, sampler: sampler)
        let a = try cached.task(at: 4, seed: 999)
        let b = try live.task(at: 4, seed: 5)
        #expect(a.supportInputs.scalars == b.supportInputs.scalars && a.classes == b.classes)
        #expect(throws: TaskDataError.indexOutOfRange("episode cache of 'tiny'", index: 12, count: 12)) {
            try cached.task(at: 12, seed: 0)
        }
        var other = dataset
        other.pixels[0] ^= 1
        #expect(throws: CachedEpisodesError.self) { try CachedEpisodes(dataset: other, episodes: cache) }
    }

    @Test func syntheticTasksAreDeterministicAndSeparable() throws {
        let tasks = try SyntheticImageTasks(classes: 0..<10, ways: 3, shots: 2, queries: 4, noise: 0.1)
        let a = try tasks.task(at: 2, seed: 1), b = try tasks.task(at: 2, seed: 1)
        #expect(a.supportInputs.scalars == b.supportInputs.scalars && a.classes == b.classes)
        #expect(a.supportInputs.shape == [6, 1, 8, 8] && a.queryInputs.shape == [12, 1, 8, 8])
        #expect(tasks.problem == .classification(ways: 3, channels: 1, height: 8, width: 8, trainingClasses: 10))
        // Nearest prototype classifies the low-noise queries correctly.
        let q = a.queryInputs.scalars, labels = a.queryTargets.labels!
        let protos = a.classes.map { tasks.prototype(ofClass: Int($0)) }
        for row in 0..<labels.count {
            let x = q[(row * 64)..<(row * 64 + 64)]
            let d = protos.map { p in zip(x, p).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
            #expect(d.firstIndex(of: d.min()!) == Int(labels[row]))
        }
        #expect(throws: SamplerError.self) { try SyntheticImageTasks(classes: 0..<2, ways: 3) }
    }

    @Test func taskDataRejectsInconsistentParts() {
        let x = Tensor(zeros: [2, 3])
        #expect(throws: TaskDataError.countMismatch("support set", inputs: 2, targets: 1)) {
            try TaskData(supportInputs: x, supportTargets: .classes([0]), queryInputs: x,
                         queryTargets: .classes([0, 1]), ways: 2, classes: [4, 5])
        }
        #expect(throws: TaskDataError.labelOutOfRange("query set", label: 2, ways: 2)) {
            try TaskData(supportInputs: x, supportTargets: .classes([0, 1]), queryInputs: x,
                         queryTargets: .classes([0, 2]), ways: 2, classes: [4, 5])
        }
        #expect(throws: TaskDataError.classMapMismatch("task", ways: 2, classes: 1)) {
            try TaskData(supportInputs: x, supportTargets: .classes([0, 1]), queryInputs: x,
                         queryTargets: .classes([0, 1]), ways: 2, classes: [4])
        }
    }
}
