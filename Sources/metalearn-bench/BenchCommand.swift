import ArgumentParser
import Autograd

@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metalearn-bench",
        abstract: "Release-build benchmarks of the engine and the algorithms.",
        subcommands: [EngineCommand.self, WorkloadsCommand.self, ProfileCommand.self])

    static func main() {
        // Restart with OpenBLAS's AVX-512 or AVX2 kernels where the library, not knowing
        // this CPU, fell back to older ones (only with OPENBLAS_CORETYPE unset): the
        // benchmarks measure what `metalearn` runs.
        BLASKernelChoice.relaunchIfNeeded()
        main(nil)
    }
}
