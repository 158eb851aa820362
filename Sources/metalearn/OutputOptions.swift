import ArgumentParser
import Foundation

/// Where a command writes a new file, and whether it may replace one.
struct OutputOptions: ParsableArguments {
    @Option(help: "The file to write (.h5).")
    var output: String

    @Flag(help: "Replace the output file if it exists (by default an existing file is never overwritten).")
    var overwrite = false

    /// Throws `CLIError.outputExists` unless the output is free or `--overwrite` was given,
    /// and creates the output's folder.
    func prepare() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) {
            if isDirectory.boolValue {
                throw CLIError.wrongFileKind(path: output, found: "a folder", expected: "a file path for --output")
            }
            guard overwrite else { throw CLIError.outputExists(path: output) }
        }
        let folder = URL(fileURLWithPath: output).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }
}
