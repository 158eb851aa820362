import DatasetImport
import MetaLearning

extension OmniglotImporter {
    /// Expected class counts of the splits of a complete import:
    /// Lake's background/evaluation (rot000 only) and Vinyals' splits (4 rotations).
    public static let expectedSplitSizes: [String: Int] = [
        "background": 964, "evaluation": 659,
        "train": 1028 * 4, "val": 172 * 4, "test": 423 * 4, "trainval": 1200 * 4,
    ]

    /// Checks that `dataset` is a complete Omniglot import as this importer
    /// makes it: 1 channel, square images, the 6,492 class names
    /// `<Alphabet>/characterNN/rotDDD`, 20 images per class (129,840), the six
    /// splits with their sizes (964 / 659 rot000 classes; 4112 / 688 / 1692 /
    /// 4800 Vinyals classes, train/val/test disjoint, trainval = train + val,
    /// every Vinyals character with all four rotations), no blank image, and
    /// each rotated image equal to its `rot000` image rotated counter-clockwise.
    /// - Throws: `DatasetImportError.verificationFailed` listing every problem.
    public static func verify(_ dataset: ImageDataset) throws {
        var problems: [String] = []
        do { try dataset.validate() } catch { problems.append("inconsistent: \(error)") }
        if dataset.channels != 1 { problems.append("expected 1 channel, found \(dataset.channels)") }
        if dataset.height != dataset.width {
            problems.append("expected square images, found \(dataset.height)x\(dataset.width)")
        }
        let expectedNames = OmniglotLayout.allClassNames()
        let expectedImages = expectedNames.count * OmniglotLayout.drawingsPerCharacter
        if dataset.classNames.count != expectedNames.count {
            problems.append("expected \(expectedNames.count) classes, found \(dataset.classNames.count)")
        }
        if dataset.count != expectedImages { problems.append("expected \(expectedImages) images, found \(dataset.count)") }
        let nameSet = Set(dataset.classNames)
        if nameSet.count != dataset.classNames.count { problems.append("class names are not unique") }
        let missing = expectedNames.filter { !nameSet.contains($0) }
        if !missing.isEmpty {
            problems.append("\(missing.count) classes missing (such as \(missing.prefix(3).joined(separator: ", ")))")
        }
        let expectedSet = Set(expectedNames)
        let unexpected = dataset.classNames.filter { !expectedSet.contains($0) }
        if !unexpected.isEmpty {
            problems.append("\(unexpected.count) unexpected classes (such as \(unexpected.prefix(3).joined(separator: ", ")))")
        }
        guard problems.isEmpty else { throw DatasetImportError.verificationFailed(dataset: dataset.name, problems: problems) }

        // Images per class, and where each class's images are.
        var perClass = [[Int]](repeating: [], count: dataset.classNames.count)
        for (image, label) in dataset.labels.enumerated() { perClass[Int(label)].append(image) }
        for (c, images) in perClass.enumerated() where images.count != OmniglotLayout.drawingsPerCharacter {
            problems.append("class \(dataset.classNames[c]): expected \(OmniglotLayout.drawingsPerCharacter) images, "
                            + "found \(images.count)")
        }

        // Splits.
        for (split, size) in expectedSplitSizes.sorted(by: { $0.key < $1.key }) {
            guard let classes = dataset.splits[split] else { problems.append("split '\(split)' missing"); continue }
            if classes.count != size { problems.append("split '\(split)': expected \(size) classes, found \(classes.count)") }
            if Set(classes).count != classes.count { problems.append("split '\(split)' lists a class twice") }
        }
        let index = Dictionary(uniqueKeysWithValues: dataset.classNames.enumerated().map { ($1, Int32($0)) })
        for part in OmniglotLayout.Part.allCases {
            guard let classes = dataset.splits[part.rawValue] else { continue }
            var expected: Set<Int32> = []
            for (alphabet, count) in part.alphabets {
                for c in 1...count { expected.insert(index["\(alphabet)/\(OmniglotLayout.characterName(c))/rot000"]!) }
            }
            if Set(classes) != expected {
                problems.append("split '\(part.rawValue)' is not the rot000 classes of the \(part.folderName) alphabets")
            }
        }
        if let train = dataset.splits["train"].map(Set.init), let val = dataset.splits["val"].map(Set.init),
           let test = dataset.splits["test"].map(Set.init) {
            if !train.isDisjoint(with: val) || !train.isDisjoint(with: test) || !val.isDisjoint(with: test) {
                problems.append("splits 'train', 'val' and 'test' overlap")
            }
            if let trainval = dataset.splits["trainval"].map(Set.init), trainval != train.union(val) {
                problems.append("split 'trainval' is not the union of 'train' and 'val'")
            }
            for (split, classes) in [("train", train), ("val", val), ("test", test)] {
                for c in classes where dataset.classNames[Int(c)].hasSuffix("/rot000") {
                    let stem = dataset.classNames[Int(c)].dropLast(6)
                    let all = OmniglotLayout.rotationNames.allSatisfy { classes.contains(index["\(stem)\($0)"]!) }
                    if !all { problems.append("split '\(split)': \(stem) lacks some of its four rotations") }
                }
            }
        }

        // Pixels: no blank image; rotations exact.
        let plane = dataset.height * dataset.width
        dataset.pixels.withUnsafeBufferPointer { pixels in
            for image in 0..<dataset.count {
                var peak: UInt8 = 0
                for p in (image * plane)..<((image + 1) * plane) { peak = max(peak, pixels[p]) }
                if peak == 0 { problems.append("image \(image) (class \(dataset.classNames[Int(dataset.labels[image])])) is blank") }
            }
            var rotated = [UInt8](repeating: 0, count: plane)
            var mismatched = 0
            for (c, name) in dataset.classNames.enumerated() where name.hasSuffix("/rot000") {
                let upright = perClass[c]
                let stem = name.dropLast(6)
                for k in 1..<4 {
                    let turned = perClass[Int(index["\(stem)\(OmniglotLayout.rotationNames[k])"]!)]
                    for (a, b) in zip(upright, turned) {
                        rotated.withUnsafeMutableBufferPointer { out in
                            ImageRotation.rotatePlane(UnsafeBufferPointer(rebasing: pixels[(a * plane)..<((a + 1) * plane)]),
                                                      height: dataset.height, width: dataset.width, quarterTurns: k,
                                                      into: out)
                        }
                        if !rotated.elementsEqual(pixels[(b * plane)..<((b + 1) * plane)]) { mismatched += 1 }
                    }
                }
            }
            if mismatched > 0 {
                problems.append("\(mismatched) rotated images differ from their rot000 image rotated counter-clockwise")
            }
        }
        if !problems.isEmpty { throw DatasetImportError.verificationFailed(dataset: dataset.name, problems: problems) }
    }
}
