import Foundation
import HDF5Storage
import MetaLearning
import Testing

/// Dataset files are fast to write and read, and a partial read of a few
/// images does not pay for the whole file.
///
/// Uses 32,768 Omniglot-like 28x28 images (25.7 MB raw) by default (8,192
/// in debug builds); set
/// `METALEARN_HDF5_PERF_IMAGES` to measure another size (129,840 is the
/// imported Omniglot). Prints the measured speeds.
@Suite struct ThroughputTests {
    @Test func omniglotSizedDatasetWritesAndReadsFast() throws {
        #if DEBUG
        let defaultCount = 8_192  // unoptimised builds: keep the test short
        #else
        let defaultCount = 32_768
        #endif
        let count = ProcessInfo.processInfo.environment["METALEARN_HDF5_PERF_IMAGES"].flatMap { Int($0) } ?? defaultCount
        let dataset = Self.strokeImages(count: count, side: 28, classes: max(1, count / 80))
        let megabytes = Double(dataset.pixels.count) / 1_000_000
        let dir = TemporaryDirectory("throughput")
        let path = dir.file("omniglot-like.h5")
        let store = HDF5DatasetStore()

        let writeStart = Date(), writeCPU = Self.cpuSeconds()
        try store.writeDataset(dataset, to: path)
        let writeSeconds = Date().timeIntervalSince(writeStart), writeCPUSeconds = Self.cpuSeconds() - writeCPU

        let readStart = Date(), readCPU = Self.cpuSeconds()
        let file = try store.open(at: path)
        let pixels = try file.images(in: 0..<file.count)
        let readSeconds = Date().timeIntervalSince(readStart), readCPUSeconds = Self.cpuSeconds() - readCPU
        #expect(pixels == dataset.pixels)

        let verifyStart = Date()
        #expect(try file.readAll() == dataset)
        let verifiedSeconds = Date().timeIntervalSince(verifyStart)

        // Best of five, so a test elsewhere holding the HDF5 lock for a moment
        // does not decide the comparison.
        var rng = Fixtures.Sequence(state: 3)
        var partialSeconds = Double.infinity
        for _ in 0..<5 {
            let indices = (0..<80).map { _ in Int(rng.next() % UInt64(count)) }
            let partialStart = Date()
            let some = try file.images(at: indices)
            partialSeconds = min(partialSeconds, Date().timeIntervalSince(partialStart))
            #expect(some == indices.flatMap { i in dataset.pixels[(i * 784)..<((i + 1) * 784)] })
        }
        try file.close()

        let fileMB = Double((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1_000_000
        print(String(format: "HDF5 dataset throughput: %d images 28x28 (%.1f MB raw, %.1f MB file): "
                     + "write %.0f MB/s (%.2f s wall, %.2f s CPU), read %.0f MB/s (%.2f s wall, %.2f s CPU), "
                     + "read+validate+fingerprint %.2f s, 80 random images %.1f ms",
                     count, megabytes, fileMB, megabytes / writeSeconds, writeSeconds, writeCPUSeconds,
                     megabytes / readSeconds, readSeconds, readCPUSeconds, verifiedSeconds, partialSeconds * 1000))
        #expect(partialSeconds < readSeconds / 3, "a partial read should touch only a few chunks")
    }

    /// CPU time used by this process so far (the measured work runs on one
    /// thread, so this excludes time lost to other processes on a busy machine).
    static func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// `count` images of `side` x `side` with a few anti-aliased strokes on
    /// black, like Omniglot after resizing (most pixels 0).
    static func strokeImages(count: Int, side: Int, classes: Int) -> ImageDataset {
        var rng = Fixtures.Sequence(state: 11)
        var pixels = [UInt8](repeating: 0, count: count * side * side)
        pixels.withUnsafeMutableBufferPointer { buffer in
            for image in 0..<count {
                let base = image &* side &* side
                for _ in 0..<(3 + Int(rng.next() % 4)) {
                    var x = Double(rng.next() % UInt64(side)), y = Double(rng.next() % UInt64(side))
                    let angle = Double(rng.next() % 628) / 100
                    let (dx, dy) = (cos(angle), sin(angle))
                    for _ in 0..<(6 + Int(rng.next() % 10)) {
                        let (ix, iy) = (Int(x), Int(y))
                        if ix >= 1, iy >= 1, ix < side - 1, iy < side - 1 {
                            let ink = UInt8(200 &+ rng.next() % 56), edge = UInt8(20 &+ rng.next() % 160)
                            buffer[base &+ iy &* side &+ ix] = ink
                            buffer[base &+ iy &* side &+ ix &+ 1] = max(buffer[base &+ iy &* side &+ ix &+ 1], edge)
                            buffer[base &+ (iy &+ 1) &* side &+ ix] = max(buffer[base &+ (iy &+ 1) &* side &+ ix], edge / 2)
                            buffer[base &+ iy &* side &+ ix &- 1] = max(buffer[base &+ iy &* side &+ ix &- 1], edge / 3)
                        }
                        x += dx; y += dy
                    }
                }
            }
        }
        let labels = (0..<count).map { Int32($0 % classes) }
        return ImageDataset(name: "omniglot-like", channels: 1, height: side, width: side, pixels: pixels, labels: labels,
                            classNames: (0..<classes).map { "class\($0)" },
                            splits: ["train": Array(0..<Int32(classes / 2)), "test": Array(Int32(classes / 2)..<Int32(classes))])
    }
}
