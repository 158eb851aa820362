import Autograd
import Foundation
import Testing

/// Locates the built `metalearn` executable next to the test bundle.
enum MetalearnBinary {
    static var url: URL {
        var dir = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("metalearn")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        return dir.appendingPathComponent("metalearn")
    }
}

@Suite struct CLIBinaryTests {
    @Test func helpExitsZero() throws {
        let p = Process()
        p.executableURL = MetalearnBinary.url
        p.arguments = ["--help"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0)
        #expect(text.contains("metalearn"))
    }
}

/// `metalearn` restarts itself on OpenBLAS kernels that use the CPU's widest
/// vectors when OpenBLAS, not knowing the CPU, chose older ones, and leaves a set
/// `OPENBLAS_CORETYPE` alone.
@Suite struct BLASKernelRestartTests {
    /// The BLAS line of `metalearn train --log-level debug` on a tiny regression run,
    /// with `OPENBLAS_CORETYPE` set to `coreType` (removed when nil).
    static func blasLine(coreType: String?) throws -> String {
        let runner = try CLIRunner(tag: "blas")
        defer { runner.cleanUp() }
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = coreType
        environment["METALEARN_OPENBLAS_CHOSE"] = nil
        let result = try runner.run(["train", "--algorithm", "fomaml", "--dataset", "sinusoid", "--shots", "5",
                                     "--queries", "5", "--steps", "1", "--meta-batch", "1", "--checkpoint", "m.h5",
                                     "--log-level", "debug"] + E2EFixtures.fastOptions, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(result.stderr.split(separator: "\n").first { $0.contains("BLAS: OpenBLAS") }.map(String.init))
    }

    @Test func unsetCoreTypeEndsOnTheWidestKernels() throws {
        let line = try Self.blasLine(coreType: nil)
        let core = try #require(line.split(separator: ",").dropFirst().first?.split(separator: " ").first.map(String.init))
        // Whatever OpenBLAS chose by itself, the run ends on a set the table does not improve on.
        #expect(BLASKernelChoice.better(than: core, cpu: BLASKernelChoice.cpu) == nil, "\(line)")
        if line.contains("OpenBLAS chose") {
            #expect(line.contains("set by MetaLearn through OPENBLAS_CORETYPE"))
        }
    }

    @Test func aSetCoreTypeIsKept() throws {
        let line = try Self.blasLine(coreType: "Prescott")
        #expect(line.contains("Prescott kernels (OPENBLAS_CORETYPE=Prescott)"), "\(line)")
    }
}
