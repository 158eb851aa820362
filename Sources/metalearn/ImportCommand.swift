import ArgumentParser

/// `metalearn import`: turn source images into a MetaLearn dataset file.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a dataset from its source files into a MetaLearn HDF5 dataset file.",
        subcommands: [OmniglotImportCommand.self, FolderImportCommand.self])
}
