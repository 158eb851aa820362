import Foundation
import MetaLearning

/// Imports a generic image-classification folder: one subfolder per class,
/// PNG images inside (found recursively, like torchvision's `ImageFolder`).
///
/// ```
/// root/
///   cat/0001.png  cat/0002.png ...
///   dog/a.png     dog/more/b.png ...
/// ```
///
/// - Classes are the top-level subfolders, in the byte order of their names
///   (label 0 is the first); images within a class are in the byte order of
///   their paths. The result does not depend on the file system's order or on
///   thread timing.
/// - Hidden files and folders and `__MACOSX` are skipped; files directly in the
///   root are ignored; any other file that is not a `.png` is an error naming it.
/// - The source can also be a zip archive laid out the same way
///   (`init(source:options:)` with `ImageSource.zipArchive(at:prefix:)`).
public struct ImageFolderImporter: Sendable {
    /// What to produce.
    public struct Options: Sendable, Equatable {
        /// The dataset's name.
        public var name: String
        /// Grayscale or RGB.
        public var format: PixelFormat
        /// Target height and width; when both are nil, every image must have
        /// the size of the first one (no resizing).
        public var height: Int?, width: Int?
        /// Store `255 - v` (for dark drawings on a light background).
        public var invert: Bool
        /// Optional named splits: split name to class (folder) names.
        public var splits: [String: [String]]
        /// Worker threads (default: all active cores).
        public var workerCount: Int

        /// Options; see the properties.
        public init(name: String, format: PixelFormat = .grayscale, height: Int? = nil, width: Int? = nil,
                    invert: Bool = false, splits: [String: [String]] = [:],
                    workerCount: Int = ProcessInfo.processInfo.activeProcessorCount) {
            self.name = name
            self.format = format
            self.height = height
            self.width = width
            self.invert = invert
            self.splits = splits
            self.workerCount = workerCount
        }
    }

    /// Where the class folders are.
    public let source: ImageSource
    /// What to produce.
    public let options: Options

    /// An importer of the class folders inside `folder`.
    /// - Throws: `DatasetImportError.notFound` if `folder` is not a folder.
    public init(folder: URL, options: Options) throws {
        self.init(source: try ImageSource.folder(at: folder), options: options)
    }

    /// An importer of the class folders of any source (such as the entries
    /// of a zip archive under a prefix).
    public init(source: ImageSource, options: Options) {
        self.source = source
        self.options = options
    }

    /// The planned classes and images, without reading any image.
    public struct Plan: Sendable, Equatable {
        /// Class names in label order.
        public var classNames: [String]
        /// For each image (in dataset order): its index into the source's `files`.
        public var files: [Int]
        /// For each image: its label.
        public var labels: [Int32]
    }

    /// Lists the classes and their images, checking the layout.
    /// - Throws: `DatasetImportError.unsupportedFile` for a non-PNG file in a
    ///   class folder, `.invalidStructure` when there are no images at all.
    public func plan() throws -> Plan {
        var byClass: [String: [Int]] = [:]
        for (index, path) in source.files.enumerated() {
            let parts = path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2 else { continue }  // a file directly in the root
            guard path.lowercased().hasSuffix(".png") else {
                throw DatasetImportError.unsupportedFile(
                    file: source.displayName(ofFileAt: index), reason: "only PNG images are supported in class folders")
            }
            byClass[String(parts[0]), default: []].append(index)
        }
        guard !byClass.isEmpty else {
            throw DatasetImportError.invalidStructure(
                source: source.name, problems: ["no class folders with PNG images (expected <class>/<image>.png)"])
        }
        let classNames = byClass.keys.sorted(by: ImageSource.byteOrder)
        var files: [Int] = [], labels: [Int32] = []
        for (label, name) in classNames.enumerated() {
            // `source.files` is sorted, so each class's indices are in path order already.
            for index in byClass[name]! {
                files.append(index)
                labels.append(Int32(label))
            }
        }
        return Plan(classNames: classNames, files: files, labels: labels)
    }

    /// Reads, decodes and converts every image.
    /// - Parameter progress: called as images finish (see `ImportProgress`).
    /// - Throws: `DatasetImportError` naming the offending file, split or option.
    public func importDataset(progress: ImportProgress.Handler? = nil) throws -> ImageDataset {
        let plan = try plan()
        let (height, width, resize) = try targetSize(firstFile: plan.files[0])
        let conversion = ImageConversion(format: options.format, height: height, width: width, resize: resize,
                                         invert: options.invert)
        let loader = ParallelImageLoader(sources: [source], conversion: conversion, workerCount: options.workerCount)
        let output = try loader.load(plan.files.map { ParallelImageLoader.Item(source: 0, file: $0) },
                                     computeDigests: true, progress: progress)

        var splits: [String: [Int32]] = [:]
        let classIndex = Dictionary(uniqueKeysWithValues: plan.classNames.enumerated().map { ($1, Int32($0)) })
        for (split, names) in options.splits.sorted(by: { ImageSource.byteOrder($0.key, $1.key) }) {
            var indices: [Int32] = []
            for name in names {
                guard let index = classIndex[name] else {
                    throw DatasetImportError.invalidSplit(
                        file: "split '\(split)'", line: nil, reason: "class '\(name)' is not a folder of \(source.name)")
                }
                indices.append(index)
            }
            splits[split] = Array(Set(indices)).sorted()
        }

        var provenance: [String: String] = [
            "importer": "ImageFolderImporter",
            "importer_version": DatasetImport.version,
            "source": source.name,
            "content_sha256": SHA256.listingDigest(zip(plan.files, output.fileDigests).map { (source.files[$0], $1) }).hexString,
            "preprocessing": conversion.summary,
            "image_size": "\(height)x\(width)",
            "pixel_format": options.format.rawValue,
            "class_order": "class folder names sorted by UTF-8 bytes; images sorted by path within a class",
        ]
        if case let .zipArchive(reader, _) = source.kind {
            provenance["source_sha256"] = try SHA256.hash(fileAt: reader.url).hexString
        }
        let dataset = ImageDataset(name: options.name, channels: options.format.channels, height: height, width: width,
                                   pixels: output.pixels, labels: plan.labels, classNames: plan.classNames,
                                   splits: splits, provenance: provenance)
        try dataset.validate()
        return dataset
    }

    /// The output size: the options' size, or the first image's size (then no resizing).
    private func targetSize(firstFile: Int) throws -> (Int, Int, Bool) {
        switch (options.height, options.width) {
        case let (h?, w?):
            guard h > 0, w > 0 else { throw DatasetImportError.invalidOptions("image size must be positive, got \(h)x\(w)") }
            return (h, w, true)
        case (nil, nil):
            let data = try source.makeReader().data(ofFileAt: firstFile)
            let image = try PNGDecoder(format: options.format).decode(data, file: source.displayName(ofFileAt: firstFile))
            return (image.height, image.width, false)
        default:
            throw DatasetImportError.invalidOptions("give both height and width, or neither")
        }
    }
}
