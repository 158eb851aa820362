import Foundation
import HDF5Storage
import MetaLearning
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A writer killed with SIGKILL in the middle of writing a checkpoint leaves
/// the previous checkpoint intact.
///
/// The writer is a separate executable (`metalearn-h5-crashwriter`, built
/// next to the test bundle) rather than a `fork()` of the test process:
/// forking a multi-threaded process and running libhdf5, malloc and the Swift
/// runtime in the child can deadlock on locks held by other threads at the
/// moment of the fork. The helper pauses at a known point (halfway through the
/// parameters, reported through the store's progress callback), so the kill
/// lands mid-write every time instead of by timing luck.
@Suite struct CrashSafetyTests {
    @Test func killedWriterLeavesThePreviousCheckpointIntact() throws {
        let helper = try Self.helperPath()
        let dir = TemporaryDirectory("crash")
        let path = dir.file("run.ckpt.h5")
        let marker = dir.file("halfway")
        let store = HDF5CheckpointStore()
        let previous = Fixtures.checkpoint(step: 1)
        try store.writeCheckpoint(previous, to: path)

        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: helper)
        writer.arguments = ["crash", path, marker]
        try writer.run()
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: marker), writer.isRunning, Date() < deadline {
            usleep(2_000)
        }
        #expect(FileManager.default.fileExists(atPath: marker), "the writer never reached the middle of its write")
        let temporaries = dir.contents().filter { $0.hasPrefix("run.ckpt.h5.tmp-\(writer.processIdentifier)-") }
        #expect(temporaries.count == 1, "expected the writer's temporary file, found \(dir.contents())")

        kill(writer.processIdentifier, SIGKILL)
        writer.waitUntilExit()
        #expect(writer.terminationReason == .uncaughtSignal)
        #expect(writer.terminationStatus == SIGKILL)

        // The previous checkpoint still opens and verifies.
        #expect(try store.readCheckpoint(at: path) == previous)
        // The half-written temporary is never mistaken for a checkpoint.
        for name in temporaries {
            #expect(throws: HDF5StorageError.self) { try store.readCheckpoint(at: dir.file(name)) }
        }

        // The next write succeeds and removes the dead writer's temporary.
        let finisher = Process()
        finisher.executableURL = URL(fileURLWithPath: helper)
        finisher.arguments = ["complete", path]
        try finisher.run()
        finisher.waitUntilExit()
        #expect(finisher.terminationStatus == 0)
        let next = try store.readCheckpoint(at: path)
        #expect(next.step == 2)
        #expect(next.parameters.count == 40)
        #expect(next.parameters.last?.values.last == 39 + 16383.0 / 65536)
        #expect(dir.contents() == ["halfway", "run.ckpt.h5"])
    }

    /// The helper executable, next to the test bundle in the build folder.
    static func helperPath() throws -> String {
        let candidates = [CommandLine.arguments.first ?? "", "/proc/self/exe"].compactMap { path -> String? in
            guard !path.isEmpty else { return nil }
            let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map {
                $0.hasPrefix("/") ? $0 : URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent($0).path
            } ?? path
            var dir = URL(fileURLWithPath: resolved).deletingLastPathComponent()
            // On macOS the test binary sits inside <bundle>.xctest/Contents/MacOS.
            while dir.path.contains(".xctest") { dir.deleteLastPathComponent() }
            return dir.appendingPathComponent("metalearn-h5-crashwriter").path
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw HelperMissing(searched: candidates)
        }
        return found
    }

    /// The helper executable was not built.
    struct HelperMissing: Error, CustomStringConvertible {
        let searched: [String]
        var description: String {
            "metalearn-h5-crashwriter not found (looked at \(searched)); build everything with `swift build --build-tests`"
        }
    }
}
