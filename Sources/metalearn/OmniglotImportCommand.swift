import ArgumentParser
import DatasetImport
import Foundation
import HDF5Storage
import MetaLearning
import OmniglotPlugin

/// `metalearn import omniglot`: the official Omniglot archives (or their
/// unpacked folders) to a dataset file with the four Vinyals rotations and the
/// background/evaluation and train/val/test splits.
struct OmniglotImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omniglot",
        abstract: "Import Omniglot from images_background.zip and images_evaluation.zip (or their unpacked folders).",
        discussion: """
            --source is the folder holding the two zips (or the images_background/ and images_evaluation/ \
            folders unpacked from them); Vinyals et al.'s train/val/test splits are read from \
            <source>/splits/vinyals when present, or from --splits.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Folder with the Omniglot archives or their unpacked folders.")
    var source: String

    @OptionGroup var output: OutputOptions

    @Option(name: .customLong("image-size"), help: "Side of the square output images.")
    var imageSize = 28

    @Option(help: "Folder with the Vinyals split files train.txt, val.txt, test.txt (default: <source>/splits/vinyals if present).")
    var splits: String?

    @Flag(name: .customLong("allow-incomplete"), help: "Import whatever characters are present instead of requiring the full set.")
    var allowIncomplete = false

    @Option(help: "Worker threads for decoding.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard (1...512).contains(imageSize) else { throw ValidationError("--image-size must be in 1...512, got \(imageSize)") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be in 1...256, got \(threads)") }
    }

    func run() throws {
        let logger = global.makeLogger()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError.fileNotFound(path: source, expected: "a folder holding images_background.zip and images_evaluation.zip")
        }
        try output.prepare()
        let options = OmniglotImporter.Options(
            imageSize: imageSize,
            vinyalsSplits: splits.map { .directory(URL(fileURLWithPath: $0)) } ?? .automatic,
            requireComplete: !allowIncomplete, workerCount: threads)
        let importer = OmniglotImporter(directory: URL(fileURLWithPath: source), options: options)
        logger.info("importing Omniglot from \(source)")
        let bar = global.showsProgress ? ProgressBar(label: "omniglot", unit: "img") : nil
        let dataset = try importer.importDataset(progress: bar?.callback)
        bar?.finish()
        logger.info("writing \(output.output)")
        try HDF5DatasetStore().writeDataset(dataset, to: output.output)
        Console.write("\(output.output): " + DatasetSummary.line(dataset))
    }
}
