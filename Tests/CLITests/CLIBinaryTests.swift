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
