import ArgumentParser
import Foundation

/// The `metalearn` command: import datasets, build episode caches, train,
/// evaluate, compare and inspect. Argument errors exit with 64 (usage);
/// every other failure prints one `error: ...` line to standard error and
/// exits with 1, never a stack trace.
@main
struct MetaLearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metalearn",
        abstract: "Meta-learning research: train, evaluate and compare few-shot learners.",
        discussion: """
            Typical session:
              metalearn import omniglot --source ../shared/data/omniglot --output omniglot.h5
              metalearn episodes --dataset omniglot.h5 --split test --ways 5 --shots 1 --output test-5w1s.h5
              metalearn compare --algorithms maml,protonet --dataset omniglot.h5 --ways 5 --shots 1 \\
                  --seeds 3 --steps 2000 --output results/
            """,
        version: MetaLearnVersion.string,
        subcommands: [ListCommand.self, ImportCommand.self, EpisodesCommand.self, TrainCommand.self,
                      EvalCommand.self, CompareCommand.self, InspectCommand.self])

    static func main() {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            try command.run()
        } catch let error where exitCode(for: error) != .failure || error is ExitCode || error is ValidationError {
            // Help requests, usage errors and ArgumentParser's own errors: its messages and exit codes.
            exit(withError: error)
        } catch {
            Console.writeError("error: " + ErrorMessage.oneLine(error))
            Foundation.exit(ErrorMessage.exitCode(error))
        }
    }
}
