import DatasetImport
import Dispatch
import Foundation
import MetaLearning
import Synchronization

/// Imports Omniglot from the official archives (`images_background.zip`,
/// `images_evaluation.zip`) or from a folder they were unpacked into, into
/// one `ImageDataset`:
///
/// - **Classes**: every character in four rotations, named
///   `<Alphabet>/characterNN/rot000|rot090|rot180|rot270` (the Vinyals names);
///   6,492 classes for the full set. `rotDDD` is the resized `rot000` image
///   rotated DDD degrees **counter-clockwise** (`np.rot90(image, DDD / 90)`,
///   PIL `Image.rotate(DDD)`). Class order: the background alphabets, then
///   the evaluation alphabets, each sorted by name; characters in order; the
///   four rotations of a character consecutive.
/// - **Images**: 20 per class (129,840 for the full set), drawings sorted by
///   file name, `1 x size x size` (28 by default), **ink = 255 on a 0
///   background**: the 1-bit PNGs (black ink on white) are inverted and then
///   area-averaged, so a pixel is the fraction of its area covered by ink,
///   times 255.
/// - **Splits**: `background` and `evaluation` (Lake et al.: the `rot000`
///   classes of each part's alphabets), and, when split files are given,
///   `train`, `val`, `test`, `trainval` (Vinyals et al., all rotations).
/// - **Provenance**: archive names and SHA-256, a content digest of all PNGs,
///   the preprocessing, pixel and rotation conventions.
///
/// The layout is checked first (50 alphabets, 1623 characters, 20 drawings
/// each); every difference is listed in a `DatasetImportError.invalidStructure`.
public struct OmniglotImporter: Sendable {
    /// Where the Vinyals split files are.
    public enum SplitLocation: Sendable, Equatable {
        /// `<directory>/splits/vinyals` if it has a `train.txt`, else no Vinyals splits.
        case automatic
        /// No Vinyals splits (only `background` and `evaluation`).
        case none
        /// This folder (must hold train.txt, val.txt, test.txt; trainval.txt optional).
        case directory(URL)
    }

    /// What to produce.
    public struct Options: Sendable, Equatable {
        /// Side of the square output images (default 28).
        public var imageSize: Int
        /// Where the Vinyals split files are.
        public var vinyalsSplits: SplitLocation
        /// When true (the default), any difference from the official layout is
        /// an error. When false, whatever characters are present are imported
        /// (with however many drawings they have), a missing part is skipped,
        /// and the differences are recorded in provenance `structure_warnings`.
        public var requireComplete: Bool
        /// The dataset's name.
        public var name: String
        /// Worker threads (default: all active cores).
        public var workerCount: Int

        /// Options; see the properties.
        public init(imageSize: Int = 28, vinyalsSplits: SplitLocation = .automatic, requireComplete: Bool = true,
                    name: String = "omniglot", workerCount: Int = ProcessInfo.processInfo.activeProcessorCount) {
            self.imageSize = imageSize
            self.vinyalsSplits = vinyalsSplits
            self.requireComplete = requireComplete
            self.name = name
            self.workerCount = workerCount
        }
    }

    /// The folder holding the archives or the unpacked `images_*` folders.
    public let directory: URL
    /// What to produce.
    public let options: Options

    /// An importer reading `directory`, which holds `images_background.zip`
    /// and `images_evaluation.zip`, or the folders `images_background/` and
    /// `images_evaluation/` unpacked from them (the archive is used when both exist).
    public init(directory: URL, options: Options = Options()) {
        self.directory = directory
        self.options = options
    }

    /// The pixel convention written into provenance `pixel_convention`.
    public static let pixelConvention =
        "ink=255, background=0 (the source PNGs are 1-bit, black ink 0 on white 255; they are inverted before "
        + "resizing, so each pixel is the fraction of its area covered by ink, times 255; use x/255 for ink=1, "
        + "or 1 - x/255 for the original white background)"
    /// The rotation convention written into provenance `rotation`.
    public static let rotationConvention =
        "class rotDDD = the resized rot000 image rotated DDD degrees counter-clockwise "
        + "(np.rot90(image, DDD/90), PIL Image.rotate(DDD)); exactly equal to rotating before resizing"

    /// Reads, checks, decodes, resizes and rotates the whole set.
    /// - Parameter progress: called as PNGs finish decoding (total: the number of PNGs, 32,460 for the full set).
    /// - Throws: `DatasetImportError` naming the archive, file or split line at fault.
    public func importDataset(progress: ImportProgress.Handler? = nil) throws -> ImageDataset {
        let size = options.imageSize
        guard size > 0 else { throw DatasetImportError.invalidOptions("image size must be positive, got \(size)") }

        // 1. Find and list the parts, check the layout.
        var scans: [OmniglotPartScan] = []
        var archiveDigests: [String: String] = [:]
        var problems: [String] = []
        for (part, opened) in zip(OmniglotLayout.Part.allCases, try openParts()) {
            if let (scan, digest) = opened {
                scans.append(scan)
                problems += scan.problems
                if let digest { archiveDigests[part.archiveName] = digest }
            } else {
                problems.append("\(directory.path): neither \(part.archiveName) nor an \(part.folderName)/ folder "
                                + "(expected the \(part.alphabets.count) alphabets of Omniglot's \(part.rawValue) set)")
            }
        }
        var seenAlphabets: [String: String] = [:]
        for (s, scan) in scans.enumerated() {
            for alphabet in Set(scan.characters.map(\.alphabet)).sorted(by: ImageSource.byteOrder) {
                if let other = seenAlphabets[alphabet] {
                    problems.append("alphabet \(alphabet) is in both \(other) and \(scan.label); only the first is imported")
                    scans[s].dropAlphabet(alphabet)
                } else {
                    seenAlphabets[alphabet] = scan.label
                }
            }
        }
        if options.requireComplete && !problems.isEmpty {
            throw DatasetImportError.invalidStructure(source: directory.path, problems: problems)
        }
        let characters = scans.enumerated().flatMap { s, scan in scan.characters.map { (scan: s, character: $0) } }
        guard !characters.isEmpty else {
            throw DatasetImportError.invalidStructure(source: directory.path, problems: problems + ["no characters found"])
        }
        let splits = try loadSplits()

        // 2. Classes (four rotations per character), labels and splits, checked before any decoding.
        var labels: [Int32] = []
        var classNames: [String] = []
        classNames.reserveCapacity(characters.count * 4)
        var lake: [String: [Int32]] = ["background": [], "evaluation": []]
        for (c, (s, character)) in characters.enumerated() {
            for (k, rotation) in OmniglotLayout.rotationNames.enumerated() {
                let label = Int32(c * 4 + k)
                classNames.append("\(character.alphabet)/\(character.name)/\(rotation)")
                labels.append(contentsOf: repeatElement(label, count: character.files.count))
                if k == 0 { lake[scans[s].part.rawValue]!.append(label) }
            }
        }
        var allSplits = lake.filter { !$0.value.isEmpty }
        if let splits {
            let classIndex = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, Int32($0)) })
            for (name, indices) in try splits.classIndices(in: classIndex) { allSplits[name] = indices }
        }

        // 3. Decode and resize every PNG once, in parallel, then place each in its four rotations.
        var items: [ParallelImageLoader.Item] = []
        var drawingStart: [Int] = []
        for (s, character) in characters {
            drawingStart.append(items.count)
            for file in character.files { items.append(ParallelImageLoader.Item(source: s, file: file)) }
        }
        drawingStart.append(items.count)
        let conversion = ImageConversion(format: .grayscale, height: size, width: size, resize: true, invert: true)
        let loader = ParallelImageLoader(sources: scans.map(\.source), conversion: conversion,
                                         workerCount: options.workerCount)
        let base = try loader.load(items, computeDigests: true, progress: progress)
        let pixels = expandRotations(base.pixels, drawingStart: drawingStart, size: size)

        // 4. Provenance.
        let contentDigests = zip(items, base.fileDigests).map { (scans[$0.source].archivePath(ofFileAt: $0.file), $1) }
        var provenance = provenance(scans: scans, archiveDigests: archiveDigests, splits: splits, conversion: conversion,
                                    contentDigests: contentDigests)
        provenance["structure"] = problems.isEmpty
            ? "complete: \(OmniglotLayout.alphabetCount) alphabets, \(OmniglotLayout.characterCount) characters, "
                + "\(OmniglotLayout.drawingsPerCharacter) drawings each"
            : "partial: \(Set(characters.map(\.character.alphabet)).count) alphabets, \(characters.count) characters"
        if !problems.isEmpty { provenance["structure_warnings"] = problems.joined(separator: "\n") }

        let dataset = ImageDataset(name: options.name, channels: 1, height: size, width: size, pixels: pixels,
                                   labels: labels, classNames: classNames, splits: allSplits, provenance: provenance)
        try dataset.validate()
        return dataset
    }

    /// Both parts, listed (and their archives hashed) in parallel: for each,
    /// the scan and the archive's SHA-256, or nil if neither archive nor folder exists.
    private func openParts() throws -> [(OmniglotPartScan, String?)?] {
        let parts = OmniglotLayout.Part.allCases
        let results = Mutex<[Int: Result<(OmniglotPartScan, String?)?, any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: parts.count) { i in
            let result = Result { try openPart(parts[i]) }
            results.withLock { $0[i] = result }
        }
        return try results.withLock { r in try parts.indices.map { try r[$0]!.get() } }
    }

    /// The scan of one part from its archive or folder (nil if neither
    /// exists), with the archive's SHA-256 when it is an archive.
    private func openPart(_ part: OmniglotLayout.Part) throws -> (OmniglotPartScan, String?)? {
        let archive = directory.appendingPathComponent(part.archiveName)
        let folder = directory.appendingPathComponent(part.folderName)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: archive.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            let source = try ImageSource.zipArchive(at: archive, prefix: part.folderName + "/")
            let digest = try SHA256.hash(fileAt: archive).hexString
            return (OmniglotPartScan(part: part, source: source, label: part.archiveName), digest)
        }
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return (OmniglotPartScan(part: part, source: try ImageSource.folder(at: folder), label: part.folderName + "/"), nil)
        }
        return nil
    }

    /// The Vinyals split files named by the options, if any.
    private func loadSplits() throws -> VinyalsSplits? {
        switch options.vinyalsSplits {
        case .none:
            return nil
        case let .directory(url):
            return try VinyalsSplits(directory: url)
        case .automatic:
            let url = directory.appendingPathComponent("splits/vinyals")
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent("train.txt").path) else { return nil }
            return try VinyalsSplits(directory: url)
        }
    }

    /// Places each character's drawings four times, rotated by 0, 90, 180 and
    /// 270 degrees counter-clockwise: character `c`'s rotation `k` block starts
    /// at image `4 * drawingStart[c] + k * drawings(c)`.
    private func expandRotations(_ base: [UInt8], drawingStart: [Int], size: Int) -> [UInt8] {
        let plane = size * size
        let characterCount = drawingStart.count - 1
        var out = [UInt8](repeating: 0, count: base.count * 4)
        let workers = max(1, min(options.workerCount, characterCount))
        base.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                let target = RotationTarget(input: input, output: output)
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    var c = worker
                    while c < characterCount {
                        let first = drawingStart[c], drawings = drawingStart[c + 1] - first
                        for k in 0..<4 {
                            for d in 0..<drawings {
                                let src = (first + d) * plane
                                let dst = (4 * first + k * drawings + d) * plane
                                ImageRotation.rotatePlane(UnsafeBufferPointer(rebasing: target.input[src..<(src + plane)]),
                                                          height: size, width: size, quarterTurns: k,
                                                          into: UnsafeMutableBufferPointer(
                                                            rebasing: target.output[dst..<(dst + plane)]))
                            }
                        }
                        c += workers
                    }
                }
            }
        }
        return out
    }

    private func provenance(scans: [OmniglotPartScan], archiveDigests: [String: String], splits: VinyalsSplits?,
                            conversion: ImageConversion,
                            contentDigests: [(path: String, digest: SHA256.Digest)]) -> [String: String] {
        var p: [String: String] = [
            "dataset": "Omniglot (Lake, Salakhutdinov & Tenenbaum, 2015)",
            "importer": "OmniglotImporter",
            "importer_version": DatasetImport.version,
            "source_directory": directory.path,
            "source": scans.map(\.label).joined(separator: ", "),
            "content_sha256": SHA256.listingDigest(contentDigests.sorted { ImageSource.byteOrder($0.path, $1.path) })
                .hexString,
            "content_sha256_definition": "sha256 of the sha256sum listing (\"<sha256>  images_<part>/<Alphabet>/"
                + "characterNN/<file>.png\", one line per PNG, sorted by path): the same for the zips and an unpacked copy",
            "original_image_size": "\(OmniglotLayout.originalImageSize)x\(OmniglotLayout.originalImageSize)",
            "image_size": "\(conversion.height)x\(conversion.width)",
            "preprocessing": conversion.summary + "; each character then stored in 4 rotations (rot000/090/180/270)",
            "pixel_convention": Self.pixelConvention,
            "rotation": Self.rotationConvention,
            "class_order": "images_background alphabets, then images_evaluation alphabets, each sorted by name "
                + "(UTF-8 bytes); characters in order; classes rot000, rot090, rot180, rot270 of a character "
                + "consecutive; drawings sorted by file name within a class",
            "split_background_evaluation": "Lake et al. 2015: the rot000 classes of the images_background / "
                + "images_evaluation alphabets",
        ]
        for (archive, digest) in archiveDigests { p["sha256:\(archive)"] = digest }
        if let splits {
            p["split_vinyals"] = "Vinyals et al. 2016 (as in Prototypical Networks), all four rotations: "
                + splits.directory.path
            for (file, digest) in splits.fileDigests { p["sha256:splits/vinyals/\(file)"] = digest }
        } else {
            p["split_vinyals"] = "none (no split files given)"
        }
        return p
    }
}

/// The base and rotated pixel buffers shared by rotation workers, which
/// read the same input and write disjoint output ranges.
private struct RotationTarget: @unchecked Sendable {
    let input: UnsafeBufferPointer<UInt8>
    let output: UnsafeMutableBufferPointer<UInt8>
}
