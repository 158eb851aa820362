/// The samples of each class of one split of a dataset, the only thing an
/// episode sampler needs (no pixels).
struct ClassIndex: Sendable {
    /// Global class ids of the split, sorted.
    let classes: [Int32]
    /// For each entry of `classes`, its dataset sample indices in increasing order.
    let samples: [[Int32]]
    /// `dataset.classNames.count`.
    let classCount: Int

    /// Indexes `split` of `dataset` (`nil`: all classes).
    init(dataset: ImageDataset, split: String?) throws {
        let classes: [Int32]
        if let split {
            guard let listed = dataset.splits[split] else {
                throw SamplerError.unknownSplit(dataset: dataset.name, split: split,
                                                available: dataset.splits.keys.sorted())
            }
            classes = Array(Set(listed)).sorted()
        } else {
            classes = (0..<Int32(dataset.classNames.count)).map { $0 }
        }
        var byClass = [[Int32]](repeating: [], count: dataset.classNames.count)
        for (i, label) in dataset.labels.enumerated() where label >= 0 && Int(label) < byClass.count {
            byClass[Int(label)].append(Int32(i))
        }
        self.classes = classes
        self.samples = classes.map { byClass[Int($0)] }
        self.classCount = dataset.classNames.count
    }
}
