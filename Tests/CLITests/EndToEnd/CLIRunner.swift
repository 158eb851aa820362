import Foundation

/// Runs the built `metalearn` executable as a subprocess in a working folder.
struct CLIRunner {
    /// What one invocation produced.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String

        /// Standard error without progress and log lines: the lines starting with `error:`.
        var errorLines: [String] { stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("error:") } }
    }

    /// The working folder (relative paths in arguments resolve against it).
    let directory: URL

    /// A runner in a fresh temporary folder.
    init(tag: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("metalearn-e2e-\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Removes the working folder.
    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    /// A path inside the working folder.
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Starts `metalearn arguments...` without waiting; output goes to files. The
    /// process inherits this one's environment unless `environment` is given.
    func start(_ arguments: [String], environment: [String: String]? = nil) throws -> (Process, URL, URL) {
        let p = Process()
        p.executableURL = MetalearnBinary.url
        p.arguments = arguments
        if let environment { p.environment = environment }
        p.currentDirectoryURL = directory
        let id = UUID().uuidString
        let out = directory.appendingPathComponent(".stdout-\(id)"), err = directory.appendingPathComponent(".stderr-\(id)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        return (p, out, err)
    }

    /// Waits for a started process and collects its output.
    func finish(_ started: (Process, URL, URL)) throws -> Result {
        let (p, out, err) = started
        p.waitUntilExit()
        let result = Result(status: p.terminationStatus,
                            stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
                            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
        return result
    }

    /// Runs `metalearn arguments...` to completion.
    @discardableResult
    func run(_ arguments: String...) throws -> Result { try run(arguments) }

    @discardableResult
    func run(_ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        try finish(try start(arguments, environment: environment))
    }

    /// Parses JSON printed on standard output.
    static func json(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw CocoaError(.coderReadCorrupt)
        }
        return object
    }
}
