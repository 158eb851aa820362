import Foundation
import Testing

/// `metalearn train` (with `--resume` and Ctrl-C) and `metalearn eval`, end to end.
@Suite struct TrainEvalTests {
    static func trainArguments(_ checkpoint: String, steps: Int, every: Int = 4) -> [String] {
        ["train", "--algorithm", E2EFixtures.algorithmA, "--dataset", "sinusoid", "--shots", "5", "--queries", "5",
         "--steps", "\(steps)", "--meta-batch", "2", "--checkpoint-every", "\(every)", "--checkpoint", checkpoint,
         "--quiet"] + E2EFixtures.fastOptions
    }

    @Test func resumedTrainingEndsBitIdenticalToAnUninterruptedRun() throws {
        let runner = try CLIRunner(tag: "resume")
        defer { runner.cleanUp() }
        let full = try runner.run(Self.trainArguments("full.h5", steps: 12))
        #expect(full.status == 0, "\(full.stderr)")
        #expect(full.stdout.contains("to step 12"))
        let half = try runner.run(Self.trainArguments("part.h5", steps: 6))
        #expect(half.status == 0, "\(half.stderr)")
        #expect(try E2EFixtures.checkpointStep(runner, "part.h5") == 6)
        #expect(try E2EFixtures.parameterDigest(runner, "part.h5") != E2EFixtures.parameterDigest(runner, "full.h5"))
        let resumed = try runner.run("train", "--checkpoint", "part.h5", "--resume", "--steps", "12", "--quiet")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("resumed at 6"))
        #expect(try E2EFixtures.parameterDigest(runner, "part.h5") == E2EFixtures.parameterDigest(runner, "full.h5"))

        // Resuming with different settings is refused, and so is overwriting without --resume.
        let changed = try runner.run("train", "--checkpoint", "part.h5", "--resume", "--steps", "20", "--meta-lr", "0.5")
        #expect(changed.status == 1 && changed.errorLines.count == 1)
        #expect(changed.stderr.contains("meta-lr"))
        let overwrite = try runner.run(Self.trainArguments("full.h5", steps: 12))
        #expect(overwrite.status == 1 && overwrite.stderr.contains("--resume"))
    }

    @Test func ctrlCLeavesAValidCheckpointThatResumesExactly() throws {
        let runner = try CLIRunner(tag: "sigint")
        defer { runner.cleanUp() }
        let started = try runner.start(Self.trainArguments("run.h5", steps: 1_000_000, every: 5))
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: runner.path("run.h5")) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        Thread.sleep(forTimeInterval: 0.1)
        kill(started.0.processIdentifier, SIGINT)
        let interrupted = try runner.finish(started)
        #expect(interrupted.status == 130)
        #expect(interrupted.errorLines.count == 1 && interrupted.stderr.contains("--resume"))
        let step = try E2EFixtures.checkpointStep(runner, "run.h5")
        #expect(step >= 5 && step < 1_000_000)

        let target = step + 7
        let resumed = try runner.run("train", "--checkpoint", "run.h5", "--resume", "--steps", "\(target)", "--quiet")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        var reference = Self.trainArguments("reference.h5", steps: target, every: 5)
        reference[reference.firstIndex(of: "--steps")! + 1] = "\(target)"
        #expect(try runner.run(reference).status == 0)
        #expect(try E2EFixtures.parameterDigest(runner, "run.h5") == E2EFixtures.parameterDigest(runner, "reference.h5"))
    }

    @Test func evalPrintsTextJsonAndCsv() throws {
        let runner = try CLIRunner(tag: "eval")
        defer { runner.cleanUp() }
        try E2EFixtures.makeDatasetAndEpisodes(runner)
        let trained = try runner.run(["train", "--algorithm", E2EFixtures.algorithmA, "--dataset", "tiny.h5", "--ways", "3",
                                      "--shots", "1", "--queries", "2", "--steps", "3", "--meta-batch", "2",
                                      "--checkpoint", "model.h5", "--quiet"] + E2EFixtures.fastOptions)
        #expect(trained.status == 0, "\(trained.stderr)")

        let text = try runner.run("eval", "--checkpoint", "model.h5", "--episodes", "episodes.h5", "--quiet")
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("accuracy: "))
        #expect(text.stdout.contains("95% confidence interval over 12 episodes"))

        let json = try CLIRunner.json(try runner.run("eval", "--checkpoint", "model.h5", "--episodes", "episodes.h5",
                                                     "--format", "json", "--quiet").stdout)
        #expect(json["metric"] as? String == "accuracy")
        #expect(json["count"] as? Int == 12)
        let perEpisode = try #require(json["perEpisode"] as? [Double])
        #expect(perEpisode.count == 12 && perEpisode.allSatisfy { (0...1).contains($0) })
        let mean = try #require(json["mean"] as? Double)
        #expect(abs(mean - perEpisode.reduce(0, +) / 12) < 1e-12)
        let half = try #require(json["ciHalfWidth"] as? Double)
        #expect(half >= 0)

        let csv = try runner.run("eval", "--checkpoint", "model.h5", "--episodes", "episodes.h5", "--format", "csv",
                                 "--quiet")
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let header = lines[0].split(separator: ",").map(String.init)
        let row = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(header.count == row.count)
        let csvMean = try #require(Double(row[header.firstIndex(of: "mean")!]))
        #expect(abs(csvMean - mean) < 1e-12)   // JSON and CSV print the same Double
        #expect(row[header.firstIndex(of: "count")!] == "12")

        // Same episodes, same checkpoint: the same numbers every time.
        let again = try CLIRunner.json(try runner.run("eval", "--checkpoint", "model.h5", "--episodes", "episodes.h5",
                                                      "--format", "json", "--threads", "1", "--quiet").stdout)
        #expect(again["perEpisode"] as? [Double] == perEpisode)
    }

    /// `train --keep-checkpoints` keeps each checkpoint as `<name>-step<N>.h5`
    /// (never over an existing file), and `eval` scores several checkpoints on
    /// the same episodes in one call: a learning curve.
    @Test func keptCheckpointsGiveALearningCurveInOneEval() throws {
        let runner = try CLIRunner(tag: "curve")
        defer { runner.cleanUp() }
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: runner.path("run-step000004.h5")))
        let trained = try runner.run(Self.trainArguments("run.h5", steps: 12) + ["--keep-checkpoints"])
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(trained.stderr.contains("run-step000004.h5 exists; left as it is"), "\(trained.stderr)")
        #expect(try String(contentsOfFile: runner.path("run-step000004.h5"), encoding: .utf8) == "not a checkpoint")
        #expect(try E2EFixtures.checkpointStep(runner, "run-step000008.h5") == 8)
        #expect(try E2EFixtures.parameterDigest(runner, "run-step000012.h5") == E2EFixtures.parameterDigest(runner, "run.h5"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: runner.path(".")).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "\(leftovers)")
        // Keeping copies leaves the run itself as it is.
        let plain = try runner.run(Self.trainArguments("plain.h5", steps: 12))
        #expect(plain.status == 0)
        #expect(try E2EFixtures.parameterDigest(runner, "plain.h5") == E2EFixtures.parameterDigest(runner, "run.h5"))

        let curve = try runner.run("eval", "--checkpoint", "run-step000008.h5", "run-step000012.h5", "--count", "20",
                                   "--format", "csv", "--quiet")
        #expect(curve.status == 0, "\(curve.stderr)")
        let lines = curve.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3 && lines[0].hasPrefix("checkpoint,"))
        let header = lines[0].split(separator: ",").map(String.init)
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.map { $0[header.firstIndex(of: "step")!] } == ["8", "12"])
        // Each row is what evaluating that checkpoint alone gives.
        let alone = try CLIRunner.json(try runner.run("eval", "--checkpoint", "run-step000008.h5", "--count", "20",
                                                      "--format", "json", "--quiet").stdout)
        #expect(Double(rows[0][header.firstIndex(of: "mean")!]) == alone["mean"] as? Double)
        let both = try runner.run("eval", "--checkpoint", "run-step000008.h5", "run.h5", "--count", "20",
                                  "--format", "json", "--quiet")
        let array = try #require(try JSONSerialization.jsonObject(with: Data(both.stdout.utf8)) as? [[String: Any]])
        #expect(array.map { $0["step"] as? Int } == [8, 12])
        #expect(array[0]["perEpisode"] as? [Double] == alone["perEpisode"] as? [Double])
        let text = try runner.run("eval", "--checkpoint", "run-step000008.h5", "run.h5", "--count", "20", "--quiet")
        #expect(text.stdout.components(separatedBy: "confidence interval over 20 episodes").count == 3)
        // A file that is not a checkpoint stops the curve with one error naming it.
        let bad = try runner.run("eval", "--checkpoint", "run.h5", "run-step000004.h5", "--count", "20", "--quiet")
        #expect(bad.status != 0 && bad.errorLines.count == 1 && bad.stderr.contains("run-step000004.h5"), "\(bad.stderr)")
        let none = try runner.run("eval", "--quiet")
        #expect(none.status == 64 && none.stderr.contains("--checkpoint"))
    }

    /// `--checkpoint-every` and `--keep-checkpoints` are stored in the checkpoint, so a plain
    /// `--resume` writes (and keeps) checkpoints as the run started; either can be changed
    /// on resume (`--no-keep-checkpoints`), and they do not count as settings that must agree.
    @Test func resumeWritesCheckpointsAsTheRunStarted() throws {
        let runner = try CLIRunner(tag: "resume-every")
        defer { runner.cleanUp() }
        let first = try runner.run(Self.trainArguments("run.h5", steps: 6, every: 3) + ["--keep-checkpoints"])
        #expect(first.status == 0, "\(first.stderr)")
        let resumed = try runner.run("train", "--checkpoint", "run.h5", "--resume", "--steps", "12")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("a checkpoint every 3 steps, each kept as a step copy"), "\(resumed.stderr)")
        let kept = try FileManager.default.contentsOfDirectory(atPath: runner.path(".")).filter { $0.hasPrefix("run-step") }
        #expect(kept.sorted() == ["run-step000003.h5", "run-step000006.h5", "run-step000009.h5", "run-step000012.h5"])
        #expect(try E2EFixtures.checkpointStep(runner, "run-step000009.h5") == 9)

        let changed = try runner.run("train", "--checkpoint", "run.h5", "--resume", "--steps", "16",
                                     "--checkpoint-every", "2", "--no-keep-checkpoints", "--quiet")
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: runner.path("run-step000016.h5")))
        // The new settings are stored in turn: the next resume reports them.
        let again = try runner.run("train", "--checkpoint", "run.h5", "--resume", "--steps", "17")
        #expect(again.status == 0 && again.stderr.contains("a checkpoint every 2 steps"), "\(again.stderr)")
        #expect(!again.stderr.contains("kept as a step copy"))
        #expect(!FileManager.default.fileExists(atPath: runner.path("run-step000017.h5")))
    }

    @Test func evalOptionsOverrideTheCheckpointsEvaluationSettings() throws {
        let runner = try CLIRunner(tag: "eval-options")
        defer { runner.cleanUp() }
        let trained = try runner.run(Self.trainArguments("model.h5", steps: 4))
        #expect(trained.status == 0, "\(trained.stderr)")
        func evaluate(_ extra: [String]) throws -> [String: Any] {
            let result = try runner.run(["eval", "--checkpoint", "model.h5", "--count", "20", "--format", "json",
                                         "--quiet"] + extra)
            #expect(result.status == 0, "\(result.stderr)")
            return try CLIRunner.json(result.stdout)
        }
        let stored = try evaluate([])            // the checkpoint's eval-inner-steps (3)
        let same = try evaluate(["-o", "eval-inner-steps=3"])
        let fewer = try evaluate(["-o", "eval-inner-steps=1"])
        let perEpisode = try #require(stored["perEpisode"] as? [Double])
        #expect(perEpisode.count == 20 && perEpisode.allSatisfy(\.isFinite))
        #expect(same["perEpisode"] as? [Double] == perEpisode)
        #expect(fewer["perEpisode"] as? [Double] != perEpisode, "1 adaptation step instead of 3 must change the scores")
        #expect(stored["optionOverrides"] as? [String: String] == [:])
        #expect(fewer["optionOverrides"] as? [String: String] == ["eval-inner-steps": "1"])

        let text = try runner.run("eval", "--checkpoint", "model.h5", "--count", "20", "-o", "eval-inner-steps=1",
                                  "--quiet")
        #expect(text.status == 0 && text.stdout.contains("options:    eval-inner-steps=1 (overriding the checkpoint's)"))
        // Adaptation that diverges (8 steps of 0.4 on this model) reports a null mean, not an encoding error.
        let diverged = try evaluate(["-o", "eval-inner-steps=8"])
        let values = try #require(diverged["perEpisode"] as? [Any])
        #expect(values.count == 20 && values.contains { $0 is NSNull } && diverged["mean"] == nil)
        // An option the algorithm does not have is a usage error; a network the checkpoint's
        // parameters do not fit is refused with one error line.
        let unknown = try runner.run("eval", "--checkpoint", "model.h5", "-o", "no-such-option=1", "--quiet")
        #expect(unknown.status == 64 && unknown.stderr.contains("no-such-option"))
        let reshaped = try runner.run("eval", "--checkpoint", "model.h5", "-o", "backbone=conv4-maml", "--quiet")
        #expect(reshaped.status != 0 && reshaped.errorLines.count == 1, "\(reshaped.stderr)")
    }

    /// Reptile keeps its inner Adam state as parameters (`inner.*` buffers):
    /// a resumed run ends with the same bits as a straight one, a plain
    /// `eval` uses the stored state, and evaluating with `inner-state fresh`
    /// is refused with a message naming the entries that do not fit.
    @Test func reptileCheckpointsCarryTheInnerStateAndMismatchesAreNamed() throws {
        let runner = try CLIRunner(tag: "reptile-state")
        defer { runner.cleanUp() }
        func train(_ checkpoint: String, steps: Int) throws -> CLIRunner.Result {
            try runner.run("train", "--algorithm", "reptile", "--dataset", "sinusoid", "--shots", "5",
                           "--queries", "5", "--steps", "\(steps)", "--meta-batch", "2", "--meta-optimizer", "sgd",
                           "--meta-lr", "1", "-o", "inner-steps=2", "-o", "eval-inner-steps=2",
                           "--checkpoint", checkpoint, "--quiet")
        }
        let trained = try train("reptile.h5", steps: 3)
        #expect(trained.status == 0, "\(trained.stderr)")
        // The inner state is part of what a resume restores: 2 steps + 1 resumed = 3 straight.
        let part = try train("part.h5", steps: 2)
        #expect(part.status == 0, "\(part.stderr)")
        let resumed = try runner.run("train", "--checkpoint", "part.h5", "--resume", "--steps", "3", "--quiet")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try E2EFixtures.parameterDigest(runner, "part.h5") == E2EFixtures.parameterDigest(runner, "reptile.h5"))
        let evaluated = try runner.run("eval", "--checkpoint", "reptile.h5", "--count", "10", "--quiet")
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
        let fresh = try runner.run("eval", "--checkpoint", "reptile.h5", "--count", "10", "-o", "inner-state=fresh",
                                   "--quiet")
        #expect(fresh.status != 0 && fresh.errorLines.count == 1, "\(fresh.stderr)")
        #expect(fresh.stderr.contains("have unexpected 'inner.exp_avg.fc1.weight', 'inner.exp_avg_sq.fc1.weight'"),
                "\(fresh.stderr)")
        #expect(fresh.stderr.contains("the 6 parameters of reptile with options") && fresh.stderr.contains("inner-state=fresh"),
                "\(fresh.stderr)")
    }

    @Test func scheduledMetaLearningRateIsStoredAndResumesExactly() throws {
        let runner = try CLIRunner(tag: "schedule")
        defer { runner.cleanUp() }
        let schedule = ["--meta-lr-schedule", "cosine:12"]
        let full = try runner.run(Self.trainArguments("full.h5", steps: 12) + schedule)
        #expect(full.status == 0, "\(full.stderr)")
        let part = try runner.run(Self.trainArguments("part.h5", steps: 6) + schedule)
        #expect(part.status == 0, "\(part.stderr)")
        let resumed = try runner.run("train", "--checkpoint", "part.h5", "--resume", "--steps", "12", "--quiet")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try E2EFixtures.parameterDigest(runner, "part.h5") == E2EFixtures.parameterDigest(runner, "full.h5"))
        // The schedule changes the result, and is part of the settings a resume must keep.
        let constant = try runner.run(Self.trainArguments("constant.h5", steps: 12))
        #expect(constant.status == 0)
        #expect(try E2EFixtures.parameterDigest(runner, "constant.h5") != E2EFixtures.parameterDigest(runner, "full.h5"))
        let changed = try runner.run("train", "--checkpoint", "full.h5", "--resume", "--steps", "16",
                                     "--meta-lr-schedule", "cosine", "--quiet")
        #expect(changed.status == 1 && changed.stderr.contains("meta-lr-schedule"), "\(changed.stderr)")
        let bad = try runner.run(Self.trainArguments("bad.h5", steps: 4) + ["--meta-lr-schedule", "step:0:0.5"])
        #expect(bad.status == 64 && bad.stderr.contains("--meta-lr-schedule"), "\(bad.stderr)")
    }
}
