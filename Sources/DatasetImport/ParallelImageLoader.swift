import MetaLearning
import Dispatch
import Foundation
import Synchronization

/// Reads, decodes and converts many images on all cores, the code path
/// shared by every image importer.
///
/// Items are split into chunks that worker threads take in turn
/// (`DispatchQueue.concurrentPerform`, one iteration per worker); each image's
/// result is written at its own index, so the output is the same whatever the
/// timing. Each worker has its own readers (an open zip per archive), PNG
/// decoder and resizers.
public struct ParallelImageLoader: Sendable {
    /// One image to load: file `file` of source `source`.
    public struct Item: Sendable, Hashable {
        /// Index into `sources`.
        public var source: Int
        /// Index into that source's `files`.
        public var file: Int
        /// An item.
        public init(source: Int, file: Int) {
            self.source = source
            self.file = file
        }
    }

    /// What `load` returns.
    public struct Output: Sendable {
        /// `items.count * conversion.imageSize` bytes, image after image, `CHW` each.
        public var pixels: [UInt8]
        /// SHA-256 of each item's file bytes, when requested; empty otherwise.
        public var fileDigests: [SHA256.Digest]
    }

    /// The sources items refer to.
    public var sources: [ImageSource]
    /// How each image is converted.
    public var conversion: ImageConversion
    /// Worker threads; defaults to the number of active cores.
    public var workerCount: Int

    /// A loader over `sources`.
    public init(sources: [ImageSource], conversion: ImageConversion,
                workerCount: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.sources = sources
        self.conversion = conversion
        self.workerCount = max(1, workerCount)
    }

    /// Loads `items` in parallel.
    /// - Parameters:
    ///   - computeDigests: also return the SHA-256 of each file's bytes.
    ///   - progress: called after each finished chunk (serialised, non-decreasing).
    /// - Throws: the error of the lowest-index item that failed (a
    ///   `DatasetImportError` naming the file); the other workers stop early.
    public func load(_ items: [Item], computeDigests: Bool = false, progress: ImportProgress.Handler? = nil) throws -> Output {
        let conversion = conversion
        guard conversion.height > 0, conversion.width > 0 else {
            throw DatasetImportError.invalidOptions("image size must be positive, got \(conversion.height)x\(conversion.width)")
        }
        for item in items {
            precondition(sources.indices.contains(item.source) && sources[item.source].files.indices.contains(item.file),
                         "ParallelImageLoader: item refers to a missing source or file")
        }
        let count = items.count
        let imageSize = conversion.imageSize
        var pixels = [UInt8](repeating: 0, count: count * imageSize)
        var digestBytes = [UInt8](repeating: 0, count: computeDigests ? count * 32 : 0)
        let workers = min(workerCount, max(1, count))
        let chunkSize = max(1, min(256, count / (workers * 16)))
        let chunkCount = (count + chunkSize - 1) / chunkSize
        let shared = SharedState()
        let sources = sources

        pixels.withUnsafeMutableBufferPointer { pixelBuffer in
            digestBytes.withUnsafeMutableBufferPointer { digestBuffer in
                let out = UnsafeSendableBuffer(pixelBuffer)
                let digestOut = UnsafeSendableBuffer(digestBuffer)
                DispatchQueue.concurrentPerform(iterations: workers) { _ in
                    var worker = Worker(sources: sources, conversion: conversion)
                    while !shared.stop.load(ordering: .relaxed) {
                        let chunk = shared.nextChunk.wrappingAdd(1, ordering: .relaxed).oldValue
                        guard chunk < chunkCount else { break }
                        let range = (chunk * chunkSize)..<min(count, (chunk + 1) * chunkSize)
                        for index in range {
                            do {
                                let image = try worker.load(items[index])
                                if computeDigests {
                                    let digest = SHA256.hash(image.bytes).bytes
                                    for b in 0..<32 { digestOut.buffer[index &* 32 &+ b] = digest[b] }
                                }
                                let slot = out.buffer[(index * imageSize)..<((index + 1) * imageSize)]
                                try worker.convert(image, into: UnsafeMutableBufferPointer(rebasing: slot))
                            } catch {
                                shared.fail(index: index, error: error)
                                return
                            }
                        }
                        shared.finished(range.count, total: count, progress: progress)
                    }
                }
            }
        }
        if let failure = shared.failure.withLock({ $0 }) { throw failure.error }
        var digests: [SHA256.Digest] = []
        if computeDigests {
            digests.reserveCapacity(count)
            for i in 0..<count { digests.append(SHA256.Digest(bytes: Array(digestBytes[(i * 32)..<((i + 1) * 32)]))) }
        }
        return Output(pixels: pixels, fileDigests: digests)
    }
}

/// One worker thread's readers, decoder and resizer cache.
private struct Worker {
    let sources: [ImageSource]
    let conversion: ImageConversion
    let decoder: PNGDecoder
    var readers: [ImageSource.Reader?]
    var resizers: [Int: AreaResizer] = [:]  // keyed by width << 32 | height

    init(sources: [ImageSource], conversion: ImageConversion) {
        self.sources = sources
        self.conversion = conversion
        decoder = PNGDecoder(format: conversion.format, background: conversion.background)
        readers = Array(repeating: nil, count: sources.count)
    }

    /// The raw bytes of an item's file.
    mutating func load(_ item: ParallelImageLoader.Item) throws -> (bytes: Data, name: String) {
        if readers[item.source] == nil { readers[item.source] = try sources[item.source].makeReader() }
        let data = try readers[item.source]!.data(ofFileAt: item.file)
        return (data, sources[item.source].displayName(ofFileAt: item.file))
    }

    /// Decodes, inverts and resizes one file into `output` (`CHW`).
    mutating func convert(_ file: (bytes: Data, name: String), into output: UnsafeMutableBufferPointer<UInt8>) throws {
        var image = try decoder.decode(file.bytes, file: file.name)
        if conversion.invert {
            image.pixels.withUnsafeMutableBufferPointer { p in
                for i in 0..<p.count { p[i] = 255 &- p[i] }
            }
        }
        let channels = image.channels, outH = conversion.height, outW = conversion.width
        let plane = outH * outW
        if image.width == outW && image.height == outH {
            image.pixels.withUnsafeBufferPointer { p in
                for c in 0..<channels {
                    var src = c
                    let base = c &* plane
                    for q in 0..<plane { output[base &+ q] = p[src]; src &+= channels }
                }
            }
            return
        }
        guard conversion.resize else {
            throw DatasetImportError.invalidImage(
                file: file.name,
                reason: "is \(image.width)x\(image.height) (width x height), expected \(outW)x\(outH); "
                    + "give a target size to resize images")
        }
        let key = image.width << 32 | image.height
        let resizer: AreaResizer
        if let cached = resizers[key] { resizer = cached } else {
            resizer = AreaResizer(inputWidth: image.width, inputHeight: image.height, outputWidth: outW, outputHeight: outH)
            resizers[key] = resizer
        }
        image.pixels.withUnsafeBufferPointer { p in
            for c in 0..<channels {
                resizer.resizePlane(UnsafeBufferPointer(rebasing: p[c...]), pixelStride: channels,
                                    inputRowStride: image.width * channels,
                                    into: UnsafeMutableBufferPointer(rebasing: output[(c * plane)..<((c + 1) * plane)]))
            }
        }
    }
}

/// Coordination between workers: the next chunk to take, the stop flag, the
/// first failure, and the progress count.
private final class SharedState: Sendable {
    let nextChunk = Atomic<Int>(0)
    let stop = Atomic<Bool>(false)
    let failure = Mutex<(index: Int, error: any Error)?>(nil)
    let completed = Mutex<Int>(0)

    func fail(index: Int, error: any Error) {
        failure.withLock { current in
            if current == nil || index < current!.index { current = (index, error) }
        }
        stop.store(true, ordering: .relaxed)
    }

    func finished(_ n: Int, total: Int, progress: ImportProgress.Handler?) {
        completed.withLock { done in
            done += n
            progress?(ImportProgress(stage: "decoding images", completed: done, total: total))
        }
    }
}

/// A mutable buffer shared by worker threads that write disjoint index ranges.
private struct UnsafeSendableBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}
