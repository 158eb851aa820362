import Autograd
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
            A session:
              metalearn import omniglot --source DIR --output omniglot.h5
              metalearn episodes --dataset omniglot.h5 --split test \\
                  --ways 5 --shots 1 --output test.h5
              metalearn compare --algorithms maml,protonet \\
                  --dataset omniglot.h5 --episodes test.h5 \\
                  --ways 5 --shots 1 --steps 2000 --output results
            Details: docs/cli.md.
            """,
        version: MetaLearnVersion.string,
        subcommands: [ListCommand.self, ImportCommand.self, EpisodesCommand.self, TrainCommand.self,
                      EvalCommand.self, CompareCommand.self, InspectCommand.self])

    static func main() {
        // First of all: restart with OpenBLAS's AVX-512 or AVX2 kernels where the library,
        // not knowing this CPU, fell back to older ones (OPENBLAS_CORETYPE unset only).
        BLASKernelChoice.relaunchIfNeeded()
        // Tasks (of a meta-batch, of an evaluation) run on the worker threads,
        // so each OpenBLAS call stays on one thread: set once, here at the edge,
        // before any BLAS call (OpenBLAS's thread count is process-global).
        BLASConfiguration.threadCount = 1
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            try command.run()
        } catch let error as ValidationError {
            // A bad argument found while running (an unknown option key, say): one line, usage status.
            Console.writeError("error: " + error.message)
            Foundation.exit(ExitCode.validationFailure.rawValue)
        } catch let error where exitCode(for: error) != .failure || error is ExitCode {
            // Help requests and ArgumentParser's own errors: its messages and exit codes.
            exit(withError: error)
        } catch {
            Console.writeError("error: " + ErrorMessage.oneLine(error))
            Foundation.exit(ErrorMessage.exitCode(error))
        }
    }
}
