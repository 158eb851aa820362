import ArgumentParser
import Logging

/// Options every command takes: how much to say.
struct GlobalOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print only warnings, errors and results; no progress bars.")
    var quiet = false

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    /// The effective level: `--quiet` raises it to `warning`.
    var level: Logger.Level { quiet ? max(logLevel, .warning) : logLevel }

    /// A logger writing plain lines to standard error, built explicitly (no
    /// global logging bootstrap).
    func makeLogger(label: String = "metalearn") -> Logger {
        let level = self.level
        var logger = Logger(label: label) { _ in ConsoleLogHandler(level: level) }
        logger.logLevel = level
        return logger
    }

    /// Whether to show progress (bars or periodic lines).
    var showsProgress: Bool { !quiet && level <= .info }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
