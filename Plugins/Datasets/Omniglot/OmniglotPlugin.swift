import DatasetImport
import Foundation
import MetaLearning

/// The Omniglot dataset plugin: handwritten characters of 50 alphabets
/// (Lake, Salakhutdinov and Tenenbaum, 2015), 1623 characters with 20
/// drawings each, imported with the four rotations of Vinyals et al. (2016)
/// as 6,492 classes.
///
/// - `OmniglotImporter` reads the official zips (or an unpacked copy) and
///   returns an `ImageDataset` with the `background`/`evaluation` and
///   `train`/`val`/`test`/`trainval` splits; the CLI writes it to HDF5.
/// - `OmniglotImporter.verify(_:)` checks that a dataset is a complete Omniglot import.
/// - `OmniglotLayout` describes the official release, `VinyalsSplits` reads
///   the split files.
///
/// Registers the imported dataset `"omniglot"` with options `source` (the
/// folder with `images_background.zip` and `images_evaluation.zip`, or the
/// unpacked folders), `image-size` (28), `splits` (folder of the Vinyals
/// split files; empty: `splits/vinyals` beside the source, if present) and
/// `require-complete` (true).
public enum OmniglotPlugin: Plugin {
    /// The dataset name importers and the registry use.
    public static let datasetName = "omniglot"

    public static func register(into registry: inout PluginRegistry) throws {
        try registry.registerDataset(DatasetDescriptor(
            name: datasetName,
            summary: "1623 handwritten characters x 4 rotations (6,492 classes), 20 drawings each; Vinyals splits",
            citation: "Lake, Salakhutdinov & Tenenbaum 2015, Human-level concept learning through probabilistic "
                + "program induction, Science; splits of Vinyals et al. 2016, Matching Networks for One Shot Learning",
            options: [
                .string("source", default: "", help: "folder with images_background.zip and images_evaluation.zip (or unpacked)"),
                .int("image-size", default: 28, help: "side of the square output images (area-filtered)"),
                .string("splits", default: "", help: "folder of the Vinyals split files (default: splits/vinyals beside the source)"),
                .bool("require-complete", default: true, help: "fail unless all 50 alphabets x 20 drawings are present"),
            ],
            source: .imported { options, progress in
                let source = try options.string("source")
                guard !source.isEmpty else {
                    throw DatasetImportError.invalidOptions("omniglot: option 'source' (the folder with the archives) is required")
                }
                let splits = try options.string("splits")
                let importerOptions = OmniglotImporter.Options(
                    imageSize: try options.int("image-size"),
                    vinyalsSplits: splits.isEmpty ? .automatic : .directory(URL(fileURLWithPath: splits)),
                    requireComplete: try options.bool("require-complete"))
                return try OmniglotImporter(directory: URL(fileURLWithPath: source), options: importerOptions)
                    .importDataset(progress: progress)
            }))
    }
}
