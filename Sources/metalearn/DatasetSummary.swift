import MetaLearning

/// One-line descriptions of datasets and episode caches for command output.
enum DatasetSummary {
    /// `omniglot: 129840 images 1x28x28, 6492 classes; splits background (964), test (1692)`.
    static func line(_ d: ImageDataset) -> String {
        var text = "\(d.name): \(d.count) images \(d.channels)x\(d.height)x\(d.width), \(d.classNames.count) classes"
        if !d.splits.isEmpty {
            text += "; splits " + d.splits.keys.sorted().map { "\($0) (\(d.splits[$0]!.count))" }.joined(separator: ", ")
        }
        return text
    }

    /// `600 episodes of omniglot test, 5-way 1-shot, 15 queries, seed 1`.
    static func line(_ e: EpisodeSet) -> String {
        "\(e.episodes.count) episodes of \(e.datasetName) \(e.split), \(e.ways)-way \(e.shots)-shot, "
            + "\(e.queries) queries, seed \(e.seed)"
    }
}
