import ArgumentParser
import HDF5Storage
import MetaLearning

@main
struct MetaLearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metalearn",
        abstract: "Meta-learning research: train, evaluate and compare few-shot learners.")
}
