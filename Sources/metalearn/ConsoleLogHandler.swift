import Logging

/// A swift-log handler for a command-line tool: one plain line per message on
/// standard error (`warning: ...` / `error: ...` prefixes for problems, the
/// bare message for information), metadata as `key=value` pairs.
struct ConsoleLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    private let write: @Sendable (String) -> Void

    /// A handler printing messages at `level` and above through `write`.
    init(level: Logger.Level, write: @escaping @Sendable (String) -> Void = { Console.writeError($0) }) {
        self.logLevel = level
        self.write = write
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line: String
        switch event.level {
        case .trace, .debug: line = "\(event.level): \(event.message)"
        case .info, .notice: line = "\(event.message)"
        case .warning: line = "warning: \(event.message)"
        case .error, .critical: line = "error: \(event.message)"
        }
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        if !all.isEmpty {
            line += " (" + all.keys.sorted().map { "\($0)=\(all[$0]!)" }.joined(separator: " ") + ")"
        }
        write(line)
    }
}
