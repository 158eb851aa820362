import ArgumentParser
import DatasetImport
import Foundation
import HDF5Storage
import MetaLearning

/// `metalearn import folder`: a folder (or zip) with one subfolder of PNG
/// images per class, like torchvision's ImageFolder.
struct FolderImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "folder",
        abstract: "Import a folder (or .zip) holding one subfolder of PNG images per class.",
        discussion: """
            Classes are the top-level subfolders in byte order of their names. Splits are given as \
            --split NAME=FILE, FILE listing one class folder name per line (for example \
            --split train=train.txt --split test=test.txt).
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "The folder (or .zip archive) of class subfolders.")
    var source: String

    @OptionGroup var output: OutputOptions

    @Option(help: "The dataset's name (default: the source's file name).")
    var name: String?

    @Option(help: "Resize every image to HEIGHTxWIDTH, such as 28x28 (default: keep the size; all images must match).")
    var size: String?

    @Flag(help: "Keep three colour channels (default: convert to grayscale).")
    var rgb = false

    @Flag(help: "Store 255 - value (for dark drawings on a light background).")
    var invert = false

    @Option(name: .customLong("split"), help: ArgumentHelp("A named split: NAME=FILE with one class name per line (repeatable).",
                                                           valueName: "name=file"))
    var splits: [String] = []

    @Option(name: .customLong("zip-prefix"), help: "For a .zip source: the folder inside the archive holding the classes.")
    var zipPrefix = ""

    @Option(help: "Worker threads for decoding.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if let size, Self.parseSize(size) == nil {
            throw ValidationError("--size must be HEIGHTxWIDTH with positive numbers, such as 28x28; got '\(size)'")
        }
        for s in splits where Self.splitAssignment(s) == nil {
            throw ValidationError("--split must be NAME=FILE, got '\(s)'")
        }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be in 1...256, got \(threads)") }
    }

    func run() throws {
        let logger = global.makeLogger()
        let url = URL(fileURLWithPath: source)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else {
            throw CLIError.fileNotFound(path: source, expected: "a folder of class subfolders, or a .zip of one")
        }
        try output.prepare()
        var splitClasses: [String: [String]] = [:]
        for s in splits {
            let (split, file) = Self.splitAssignment(s)!
            guard FileManager.default.fileExists(atPath: file) else {
                throw CLIError.fileNotFound(path: file, expected: "a list of class names for split '\(split)'")
            }
            let text = try String(contentsOfFile: file, encoding: .utf8)
            splitClasses[split] = text.split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let (height, width) = size.flatMap(Self.parseSize).map { ($0.0 as Int?, $0.1 as Int?) } ?? (nil, nil)
        let datasetName = name ?? url.deletingPathExtension().lastPathComponent
        let options = ImageFolderImporter.Options(name: datasetName, format: rgb ? .rgb : .grayscale, height: height,
                                                  width: width, invert: invert, splits: splitClasses,
                                                  workerCount: threads)
        let importer: ImageFolderImporter
        if isDirectory.boolValue {
            importer = try ImageFolderImporter(folder: url, options: options)
        } else {
            importer = ImageFolderImporter(source: try ImageSource.zipArchive(at: url, prefix: zipPrefix), options: options)
        }
        logger.info("importing \(source)")
        let bar = global.showsProgress ? ProgressBar(label: datasetName, unit: "img") : nil
        let dataset = try importer.importDataset(progress: bar?.callback)
        bar?.finish()
        try HDF5DatasetStore().writeDataset(dataset, to: output.output)
        Console.write("\(output.output): " + DatasetSummary.line(dataset))
    }

    static func parseSize(_ text: String) -> (Int, Int)? {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let h = Int(parts[0]), let w = Int(parts[1]), h > 0, w > 0 else { return nil }
        return (h, w)
    }

    static func splitAssignment(_ text: String) -> (String, String)? {
        guard let eq = text.firstIndex(of: "=") else { return nil }
        let name = String(text[..<eq]), file = String(text[text.index(after: eq)...])
        return name.isEmpty || file.isEmpty ? nil : (name, file)
    }
}
