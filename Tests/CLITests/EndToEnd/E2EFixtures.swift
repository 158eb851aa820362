import Foundation

/// Small inputs shared by the end-to-end tests.
enum E2EFixtures {
    /// Algorithms the tests train: first-order ones, the fastest (registry names).
    static let algorithmA = "fomaml"
    static let algorithmB = "reptile"
    /// Options making training tiny and fast: the MLP backbone.
    static let fastOptions = ["-o", "backbone=mlp"]

    /// Writes `classes` class folders of `perClass` 16x16 PNGs (a random
    /// prototype per class plus noise) under `folder`, and `train.txt` /
    /// `test.txt` split files listing the first `trainClasses` and the rest.
    static func writeImageFolder(in runner: CLIRunner, folder: String = "images", classes: Int = 10,
                                 perClass: Int = 6, trainClasses: Int = 6) throws {
        var state: UInt64 = 12_345
        func next() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        var names: [String] = []
        for c in 0..<classes {
            let name = String(format: "class%02d", c)
            names.append(name)
            let dir = runner.directory.appendingPathComponent(folder).appendingPathComponent(name)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let prototype = (0..<256).map { _ in next() }
            for i in 0..<perClass {
                let pixels = prototype.map { p -> UInt8 in
                    let noise = Int(next() % 61) - 30
                    return UInt8(clamping: Int(p) + noise)
                }
                try TinyPNG.encode(width: 16, height: 16, pixels: pixels)
                    .write(to: dir.appendingPathComponent("\(i).png"))
            }
        }
        try names.prefix(trainClasses).joined(separator: "\n")
            .write(toFile: runner.path("train.txt"), atomically: true, encoding: .utf8)
        try names.dropFirst(trainClasses).joined(separator: "\n")
            .write(toFile: runner.path("test.txt"), atomically: true, encoding: .utf8)
    }

    /// Imports the image folder into `tiny.h5` and builds `episodes.h5`
    /// (3-way 1-shot, 2 queries, 12 test episodes).
    static func makeDatasetAndEpisodes(_ runner: CLIRunner) throws {
        try writeImageFolder(in: runner)
        let imported = try runner.run("import", "folder", "--source", "images", "--output", "tiny.h5",
                                      "--split", "train=train.txt", "--split", "test=test.txt", "--quiet")
        guard imported.status == 0 else { throw E2EError(imported.stderr) }
        let episodes = try runner.run("episodes", "--dataset", "tiny.h5", "--split", "test", "--ways", "3",
                                      "--shots", "1", "--queries", "2", "--count", "12", "--seed", "1",
                                      "--output", "episodes.h5", "--quiet")
        guard episodes.status == 0 else { throw E2EError(episodes.stderr) }
    }

    /// The parameter digest `inspect --json` reports for a checkpoint.
    static func parameterDigest(_ runner: CLIRunner, _ checkpoint: String) throws -> String {
        let result = try runner.run("inspect", "--json", checkpoint)
        guard result.status == 0 else { throw E2EError(result.stderr) }
        let json = try CLIRunner.json(result.stdout)
        guard let details = json["checkpoint"] as? [String: Any], let digest = details["parametersSHA256"] as? String else {
            throw E2EError("no checkpoint digest in inspect output of \(checkpoint)")
        }
        return digest
    }

    /// The step a checkpoint holds, from `inspect --json`.
    static func checkpointStep(_ runner: CLIRunner, _ checkpoint: String) throws -> Int {
        let json = try CLIRunner.json(try runner.run("inspect", "--json", checkpoint).stdout)
        guard let details = json["checkpoint"] as? [String: Any], let step = details["step"] as? Int else {
            throw E2EError("no step in inspect output of \(checkpoint)")
        }
        return step
    }
}

/// A failed step of an end-to-end test, with the command's error output.
struct E2EError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
