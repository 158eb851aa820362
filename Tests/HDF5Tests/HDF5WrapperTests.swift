import Foundation
import HDF5
import Testing

/// The Swift wrapper over libhdf5: types, layout, attributes, partial reads, errors.
@Suite struct HDF5WrapperTests {
    @Test func numericDatasetsRoundTripWithChunkingAndCompression() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("numbers.h5")
        let bytes: [UInt8] = (0..<600).map { UInt8($0 % 251) }
        let ints32: [Int32] = (0..<60).map { Int32($0) * -7 }
        let ints64: [Int64] = [Int64.min, -1, 0, 1, Int64.max, 42]
        let floats: [Float] = (0..<24).map { Float($0) * 0.25 - 3 }
        let doubles: [Double] = [.pi, -.infinity, 1e-300, 0]
        let unsigned: [UInt64] = [0, UInt64.max, 12_345_678_901_234]
        do {
            let file = try HDF5File.create(at: path)
            let images = try file.createDataset("data/images", values: bytes, shape: [6, 10, 10],
                                                options: .compressed(level: 4, chunkShape: [4, 10, 10]))
            #expect(images.chunkShape == [4, 10, 10])
            #expect(images.filters == ["gzip(4)"])
            try file.createDataset("data/labels", values: ints32, shape: [60], options: .compressed(shuffle: true))
            try file.createDataset("i64", values: ints64, shape: [2, 3])
            try file.createDataset("f32", values: floats, shape: [2, 3, 4])
            try file.createDataset("f64", values: doubles, shape: [4])
            try file.createDataset("u64", values: unsigned, shape: [3])
            try file.createDataset("scalar", values: [Float(2.5)], shape: [])
            try file.createDataset("empty", values: [Float](), shape: [0, 3], options: .compressed())
            try file.close()
        }
        let file = try HDF5File.open(at: path)
        defer { try? file.close() }
        let images = try file.openDataset("data/images")
        #expect(images.shape == [6, 10, 10])
        #expect(images.elementType == .uint8)
        #expect(try images.read(UInt8.self) == bytes)
        let labels = try file.openDataset("data/labels")
        #expect(labels.filters == ["shuffle", "gzip(4)"])
        #expect(labels.chunkShape == [60])
        #expect(try labels.read(Int32.self) == ints32)
        #expect(try file.openDataset("i64").read(Int64.self) == ints64)
        #expect(try file.openDataset("f32").read(Float.self) == floats)
        #expect(try file.openDataset("f64").read(Double.self) == doubles)
        #expect(try file.openDataset("u64").read(UInt64.self) == unsigned)
        let scalar = try file.openDataset("scalar")
        #expect(scalar.shape == [])
        #expect(try scalar.read(Float.self) == [2.5])
        let empty = try file.openDataset("empty")
        #expect(empty.shape == [0, 3])
        #expect(empty.chunkShape == nil)
        #expect(try empty.read(Float.self) == [])
        #expect(try file.openGroup("data").children() == [HDF5Link(name: "images", kind: .dataset),
                                                          HDF5Link(name: "labels", kind: .dataset)])
    }

    @Test func stringsAndAttributesRoundTrip() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("strings.h5")
        let names = ["Angelic/character01", "Ελληνικά/χαρακτήρας", "", "日本語"]
        do {
            let file = try HDF5File.create(at: path)
            try file.createDataset("names", strings: names)
            try file.setAttribute("format", "metalearn.test")
            try file.setAttribute("formatVersion", 1)
            try file.setAttribute("seed", UInt64.max)
            try file.setAttribute("rate", 0.125)
            try file.setAttribute("shape", [Int32(3), 28, 28])
            try file.setAttribute("tags", ["a", "β", "c c"])
            let group = try file.createGroup("g/h")
            try group.setAttribute("note", String(repeating: "x", count: 100_000))
            try group.setAttribute("note", "replaced")
            try file.close()
        }
        let file = try HDF5File.open(at: path)
        #expect(try file.openDataset("names").readStrings() == names)
        #expect(try file.openDataset("names").elementType == .string(fixedLength: nil))
        #expect(try file.attributeNames() == ["format", "formatVersion", "rate", "seed", "shape", "tags"])
        #expect(try file.stringAttribute("format") == "metalearn.test")
        #expect(try file.integerAttribute("formatVersion") == 1)
        #expect(try file.unsignedAttribute("seed") == UInt64.max)
        #expect(try file.doubleAttribute("rate") == 0.125)
        #expect(try file.attribute("shape") == .integers([3, 28, 28], shape: [3]))
        #expect(try file.stringArrayAttribute("tags") == ["a", "β", "c c"])
        #expect(try file.openGroup("g/h").stringAttribute("note") == "replaced")
        #expect(try file.hasAttribute("absent") == false)
        let error = #expect(throws: HDF5Error.self) { try file.integerAttribute("format") }
        #expect(error?.kind == .typeMismatch)
        #expect(error?.object == "/@format")
        try file.close()
    }

    @Test func partialReadsSelectBoxesAndRows() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("slab.h5")
        let values: [Int32] = (0..<(50 * 3 * 4)).map { Int32($0) }
        let file = try HDF5File.create(at: path)
        let d = try file.createDataset("x", values: values, shape: [50, 3, 4],
                                       options: .compressed(chunkShape: [8, 3, 4], shuffle: true))
        let box = try d.read(Int32.self, start: [10, 1, 2], count: [2, 2, 2])
        let expectedBox: [Int32] = [126, 127, 130, 131, 138, 139, 142, 143]
        #expect(box == expectedBox)
        let rows = [49, 3, 4, 5, 3, 0]
        let picked = try d.readRows(Int32.self, rows)
        #expect(picked == rows.flatMap { r in (0..<12).map { Int32(r * 12 + $0) } })
        #expect(try d.readRows(Int32.self, []) == [])
        try d.write([Int32](repeating: -1, count: 4), start: [0, 0, 0], count: [1, 1, 4])
        #expect(try d.read(Int32.self, start: [0, 0, 0], count: [1, 2, 4]) == [-1, -1, -1, -1, 4, 5, 6, 7])
        let outside = #expect(throws: HDF5Error.self) { try d.read(Int32.self, start: [49, 0, 0], count: [2, 3, 4]) }
        #expect(outside?.kind == .shapeMismatch)
        let badRow = #expect(throws: HDF5Error.self) { try d.readRows(Int32.self, [50]) }
        #expect(badRow?.kind == .shapeMismatch)
        try file.close()
    }

    @Test func wrongTypeAndMissingObjectsAreTypedErrorsNamingFileAndPath() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("errors.h5")
        let file = try HDF5File.create(at: path)
        try file.createDataset("group/pixels", values: [UInt8](repeating: 1, count: 4), shape: [4])
        let wrongType = #expect(throws: HDF5Error.self) { try file.openDataset("group/pixels").read(Float.self) }
        #expect(wrongType?.kind == .typeMismatch)
        #expect(wrongType?.description == "\(path): /group/pixels: expected float32 elements, found uint8")
        let missing = #expect(throws: HDF5Error.self) { try file.openDataset("group/labels") }
        #expect(missing?.kind == .objectNotFound)
        #expect(missing?.object == "/group/labels")
        let notGroup = #expect(throws: HDF5Error.self) { try file.openGroup("group/pixels") }
        #expect(notGroup?.kind == .typeMismatch)
        let exists = #expect(throws: HDF5Error.self) { try file.createGroup("group") }
        #expect(exists?.kind == .alreadyExists)
        let badName = #expect(throws: HDF5Error.self) { try file.createGroup("a//b") }
        #expect(badName?.kind == .invalidArgument)
        try file.close()
        let readOnly = try HDF5File.open(at: path)
        let denied = #expect(throws: HDF5Error.self) { try readOnly.createGroup("new") }
        #expect(denied.map { !$0.stack.isEmpty && !$0.description.contains("\n") } == true)
        try readOnly.close()
    }

    @Test func badFilesAreTellingErrors() throws {
        let dir = TemporaryDirectory()
        let missing = #expect(throws: HDF5Error.self) { try HDF5File.open(at: dir.file("absent.h5")) }
        #expect(missing?.kind == .fileNotFound)
        let text = dir.file("text.h5")
        try "just some text, not HDF5\n".write(toFile: text, atomically: false, encoding: .utf8)
        let notHDF5 = #expect(throws: HDF5Error.self) { try HDF5File.open(at: text) }
        #expect(notHDF5?.kind == .notHDF5)
        #expect(HDF5File.isHDF5(at: text) == false)

        let good = dir.file("good.h5")
        let file = try HDF5File.create(at: good)
        try file.createDataset("x", values: [Float](repeating: 1, count: 10_000), shape: [10_000])
        try file.setAttribute("format", "x")
        try file.close()
        let whole = try Data(contentsOf: URL(fileURLWithPath: good))
        for (keep, kind) in [(whole.count / 2, HDF5Error.Kind.truncated), (2000, .truncated), (100, .truncated),
                             (20, .corrupt), (9, .corrupt), (4, .notHDF5)] {
            let cut = dir.file("cut-\(keep).h5")
            try whole.prefix(keep).write(to: URL(fileURLWithPath: cut))
            let error = #expect(throws: HDF5Error.self) { try HDF5File.open(at: cut) }
            #expect(error?.kind == kind, "cut at \(keep): \(String(describing: error))")
            #expect(error?.file == cut)
        }
    }

    @Test func closedHandlesThrowInsteadOfTouchingStaleIdentifiers() throws {
        let dir = TemporaryDirectory()
        let file = try HDF5File.create(at: dir.file("closed.h5"))
        let group = try file.createGroup("g")
        let data = try group.createDataset("d", values: [Int32(1), 2], shape: [2])
        try file.close()
        #expect(file.isOpen == false)
        let e1 = #expect(throws: HDF5Error.self) { try data.read(Int32.self) }
        #expect(e1?.kind == .closed)
        let e2 = #expect(throws: HDF5Error.self) { try group.setAttribute("a", 1) }
        #expect(e2?.kind == .closed)
        try file.close()
    }

    @Test func manyFilesOpenAndCloseWithoutLeaks() throws {
        let dir = TemporaryDirectory("leaks")
        let before = openDescriptors(under: dir.path)
        for i in 0..<200 {
            let path = dir.file("f\(i % 7).h5")
            do {
                let file = try HDF5File.create(at: path)
                let g = try file.createGroup("g")
                try g.createDataset("d", values: [Int32(Int32(i))], shape: [1], options: .compressed())
                try g.setAttribute("i", i)
                try file.close()
            }
            do {
                // Closed by the last reference going away, not by close().
                let file = try HDF5File.open(at: path)
                let d = try file.openDataset("g/d")
                #expect(try d.read(Int32.self) == [Int32(i)])
            }
            _ = try HDF5File.withFile(at: path) { try $0.openGroup("g").integerAttribute("i") }
        }
        let stillOpen = HDF5Library.openFiles().filter { $0.path.hasPrefix(dir.path) }
        #expect(stillOpen.isEmpty, "files left open: \(stillOpen)")
        #expect(openDescriptors(under: dir.path) == before)
    }

    @Test func concurrentUseIsSerialisedSafely() async throws {
        let dir = TemporaryDirectory("threads")
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for t in 0..<4 {
                group.addTask {
                    let path = dir.file("t\(t).h5")
                    for round in 0..<10 {
                        let values = (0..<1000).map { Float($0 + t * 1000 + round) }
                        let file = try HDF5File.create(at: path)
                        try file.createDataset("v", values: values, shape: [10, 100], options: .compressed())
                        try file.close()
                        let back = try HDF5File.withFile(at: path) { try $0.openDataset("v").readRows(Float.self, [9, 0]) }
                        guard back == Array(values[900..<1000] + values[0..<100]) else { return false }
                    }
                    return true
                }
            }
            var all: [Bool] = []
            for try await ok in group { all.append(ok) }
            return all
        }
        #expect(results == Array(repeating: true, count: 4))
    }

    /// The number of this process's open file descriptors pointing under `directory`.
    private func openDescriptors(under directory: String) -> Int {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.filter { fd in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)"))?.hasPrefix(directory) == true
        }.count
    }
}
