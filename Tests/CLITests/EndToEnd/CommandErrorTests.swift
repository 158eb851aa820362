import Foundation
import Testing

/// Bad arguments and bad files: one `error:` line, a non-zero status, never a crash.
@Suite struct CommandErrorTests {
    static let cases: [(name: String, arguments: [String], status: Int32, mentions: String)] = [
        ("missing file", ["inspect", "nothere.h5"], 1, "nothere.h5"),
        ("not HDF5", ["inspect", "garbage.h5"], 1, "garbage.h5"),
        ("truncated", ["eval", "--checkpoint", "truncated.h5", "--episodes", "truncated.h5"], 1, "truncated.h5"),
        ("wrong kind", ["eval", "--checkpoint", "tiny.h5", "--episodes", "tiny.h5"], 1, "metalearn.checkpoint"),
        ("missing episodes", ["eval", "--checkpoint", "tiny.h5", "--episodes", "noepisodes.h5"], 1, "noepisodes.h5"),
        ("missing dataset", ["train", "--algorithm", E2EFixtures.algorithmA, "--dataset", "none.h5",
                             "--checkpoint", "c.h5"], 1, "none.h5"),
        ("unknown algorithm", ["train", "--algorithm", "no-such-algorithm", "--dataset", "sinusoid",
                               "--checkpoint", "c.h5"], 64, "no-such-algorithm"),
        ("unknown option", ["train", "--algorithm", E2EFixtures.algorithmA, "--dataset", "sinusoid",
                            "--checkpoint", "c.h5", "-o", "no-such-option=1"], 64, "no-such-option"),
        ("bad option value", ["train", "--algorithm", E2EFixtures.algorithmA, "--dataset", "sinusoid",
                              "--checkpoint", "c.h5", "-o", "backbone=3"], 64, "backbone"),
        ("bad argument value", ["episodes", "--dataset", "tiny.h5", "--ways", "0", "--output", "e.h5"], 64, "--ways"),
        ("unknown split", ["episodes", "--dataset", "tiny.h5", "--split", "val", "--output", "e.h5"], 1, "val"),
        ("too many ways", ["episodes", "--dataset", "tiny.h5", "--ways", "9", "--output", "e.h5"], 1, "9"),
        ("unknown compared algorithm", ["compare", "--algorithms", "\(E2EFixtures.algorithmA),nope",
                                        "--dataset", "sinusoid", "--output", "out"], 64, "nope"),
        ("missing import source", ["import", "folder", "--source", "nowhere", "--output", "x.h5"], 1, "nowhere"),
    ]

    @Test func everyBadInputGivesOneErrorLineAndANonZeroStatus() throws {
        let runner = try CLIRunner(tag: "bad")
        defer { runner.cleanUp() }
        try E2EFixtures.writeImageFolder(in: runner, classes: 5, perClass: 4, trainClasses: 2)
        #expect(try runner.run("import", "folder", "--source", "images", "--output", "tiny.h5", "--split",
                               "train=train.txt", "--split", "test=test.txt", "--quiet").status == 0)
        try Data("this is not an HDF5 file\n".utf8).write(to: URL(fileURLWithPath: runner.path("garbage.h5")))
        let whole = try Data(contentsOf: URL(fileURLWithPath: runner.path("tiny.h5")))
        try whole.prefix(whole.count / 3).write(to: URL(fileURLWithPath: runner.path("truncated.h5")))

        for c in Self.cases {
            let result = try runner.run(c.arguments)
            #expect(result.status == c.status, "\(c.name): status \(result.status), stderr: \(result.stderr)")
            let problemLines = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("Usage:") && !$0.hasPrefix("  See") }
            #expect(problemLines.count == 1, "\(c.name): \(result.stderr)")
            #expect(result.stderr.contains(c.mentions), "\(c.name): \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack"), "\(c.name)")
            #expect(result.stdout.isEmpty, "\(c.name): \(result.stdout)")
        }
        // Nothing was written by the failing commands.
        for leftover in ["c.h5", "e.h5", "x.h5", "out/results.md"] {
            #expect(!FileManager.default.fileExists(atPath: runner.path(leftover)), "\(leftover)")
        }
    }
}
