import Foundation
import Testing

/// `metalearn list`, `import folder`, `episodes` and `inspect`, end to end.
@Suite struct ListAndInspectTests {
    @Test func listShowsAlgorithmsDatasetsAndOptions() throws {
        let runner = try CLIRunner(tag: "list")
        defer { runner.cleanUp() }
        let text = try runner.run("list")
        #expect(text.status == 0)
        #expect(text.stdout.contains("Algorithms"))
        #expect(text.stdout.contains("sinusoid"))
        #expect(text.stdout.contains("shots=<int> (default 10)"))
        #expect(text.stdout.contains(E2EFixtures.algorithmA))

        let json = try CLIRunner.json(try runner.run("list", "--json").stdout)
        let datasets = try #require(json["datasets"] as? [[String: Any]])
        let sinusoid = try #require(datasets.first { $0["name"] as? String == "sinusoid" })
        #expect(sinusoid["kind"] as? String == "generated")
        let algorithms = try #require(json["algorithms"] as? [[String: Any]])
        let names = algorithms.compactMap { $0["name"] as? String }
        #expect(names.contains(E2EFixtures.algorithmA) && names.contains(E2EFixtures.algorithmB))
        let options = try #require(algorithms.first?["options"] as? [[String: Any]])
        #expect(options.allSatisfy { $0["name"] is String && $0["defaultValue"] is String })
    }

    @Test func importFolderBuildEpisodesAndInspectThem() throws {
        let runner = try CLIRunner(tag: "import")
        defer { runner.cleanUp() }
        try E2EFixtures.writeImageFolder(in: runner)
        let imported = try runner.run("import", "folder", "--source", "images", "--output", "tiny.h5",
                                      "--split", "train=train.txt", "--split", "test=test.txt")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("60 images 1x16x16, 10 classes; splits test (4), train (6)"))
        // An existing output is never overwritten silently.
        let again = try runner.run("import", "folder", "--source", "images", "--output", "tiny.h5")
        #expect(again.status == 1 && again.errorLines.count == 1 && again.stderr.contains("already exists"))

        let episodes = try runner.run("episodes", "--dataset", "tiny.h5", "--split", "test", "--ways", "3", "--shots",
                                      "1", "--queries", "2", "--count", "12", "--seed", "1", "--output", "episodes.h5")
        #expect(episodes.status == 0, "\(episodes.stderr)")
        #expect(episodes.stdout.contains("12 episodes of images test, 3-way 1-shot, 2 queries, seed 1"))

        let dataset = try runner.run("inspect", "tiny.h5")
        #expect(dataset.status == 0)
        #expect(dataset.stdout.contains("metalearn.dataset (formatVersion 1)"))
        #expect(dataset.stdout.contains("/images"))
        let cache = try CLIRunner.json(try runner.run("inspect", "--json", "episodes.h5").stdout)
        #expect(cache["kind"] as? String == "metalearn.episodes")
        #expect(cache["formatVersion"] as? Int == 1)
        #expect((cache["summary"] as? String)?.contains("12 episodes of 3-way 1-shot") == true)
        let objects = try #require(cache["objects"] as? [[String: Any]])
        #expect(objects.contains { ($0["shape"] as? [Int]) != nil })
    }
}
