import Autograd

/// Turns index-only `Episode`s into `TaskData` using a shared `FloatImages`.
public struct EpisodeMaterializer: Sendable {
    /// The converted images.
    public let images: FloatImages

    /// Materialises episodes of `images`.
    public init(images: FloatImages) { self.images = images }

    /// Converts `dataset` once and materialises its episodes.
    public init(dataset: ImageDataset) throws { self.images = try FloatImages(dataset: dataset) }

    /// The task of `episode`: inputs `[S, C, H, W]`, episode labels as class targets.
    public func task(for episode: Episode) throws -> TaskData {
        guard episode.supportIndices.count == episode.supportLabels.count else {
            throw TaskDataError.countMismatch("episode support set", inputs: episode.supportIndices.count,
                                              targets: episode.supportLabels.count)
        }
        guard episode.queryIndices.count == episode.queryLabels.count else {
            throw TaskDataError.countMismatch("episode query set", inputs: episode.queryIndices.count,
                                              targets: episode.queryLabels.count)
        }
        for c in episode.classes where c < 0 || Int(c) >= images.classCount {
            throw TaskDataError.indexOutOfRange("dataset '\(images.datasetName)' class", index: Int(c),
                                                count: images.classCount)
        }
        let imageShape = [images.channels, images.height, images.width]
        let support = Tensor(shape: [episode.supportIndices.count] + imageShape,
                             scalars: try images.gather(episode.supportIndices))
        let query = Tensor(shape: [episode.queryIndices.count] + imageShape,
                           scalars: try images.gather(episode.queryIndices))
        return try TaskData(supportInputs: support, supportTargets: .classes(episode.supportLabels),
                            queryInputs: query, queryTargets: .classes(episode.queryLabels),
                            ways: episode.ways, classes: episode.classes)
    }

    /// The classification problem of episodes with at most `ways` classes.
    public func problem(ways: Int) -> ProblemSpec {
        .classification(ways: ways, channels: images.channels, height: images.height, width: images.width,
                        trainingClasses: images.classCount)
    }
}
