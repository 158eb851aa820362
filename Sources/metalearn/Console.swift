import Foundation

/// Where the CLI writes: results to standard output, logs, progress and
/// errors to standard error. Writes go straight to the file descriptors, so
/// output is never lost in a buffer when the process exits.
enum Console {
    /// Writes `text` (and a newline unless it ends with one) to standard output.
    static func write(_ text: String) {
        writeAll(STDOUT_FILENO, text.hasSuffix("\n") ? text : text + "\n")
    }

    /// Writes `text` (and a newline unless it ends with one) to standard error.
    static func writeError(_ text: String) {
        writeAll(STDERR_FILENO, text.hasSuffix("\n") ? text : text + "\n")
    }

    /// Writes raw text to standard error (no newline added), for progress bars.
    static func writeErrorRaw(_ text: String) {
        writeAll(STDERR_FILENO, text)
    }

    /// Whether standard error is a terminal (progress bars redraw in place then).
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    private static func writeAll(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { return }
            offset += n
        }
    }
}

/// The POSIX `write(2)` (a file-scope name, so `Console.write` does not shadow it).
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
