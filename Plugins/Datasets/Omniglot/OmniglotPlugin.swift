import DatasetImport
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
/// Registration with the plugin registry is wired by the CLI's plugin list.
public enum OmniglotPlugin {
    /// The dataset name importers and the registry use.
    public static let datasetName = "omniglot"
}
