/// An index-only description of one N-way few-shot classification episode.
///
/// Samples are referenced by their index in an `ImageDataset`; labels are the
/// episode's own `0..<ways` labels. `classes[k]` is the dataset class that
/// episode label `k` stands for (the label map).
public struct Episode: Sendable, Equatable, Hashable {
    /// Dataset class index for each episode label `0..<ways`.
    public var classes: [Int32]
    /// Dataset sample indices of the support set and their episode labels.
    public var supportIndices: [Int32]
    public var supportLabels: [Int32]
    /// Dataset sample indices of the query set and their episode labels.
    public var queryIndices: [Int32]
    public var queryLabels: [Int32]

    public init(classes: [Int32], supportIndices: [Int32], supportLabels: [Int32],
                queryIndices: [Int32], queryLabels: [Int32]) {
        self.classes = classes
        self.supportIndices = supportIndices
        self.supportLabels = supportLabels
        self.queryIndices = queryIndices
        self.queryLabels = queryLabels
    }

    /// The number of classes in the episode.
    public var ways: Int { classes.count }
}
