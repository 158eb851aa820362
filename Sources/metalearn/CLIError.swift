/// Failures the CLI itself detects (as opposed to the library's typed errors,
/// which it prints as they are). Each message is one line naming the file or
/// option at fault and what was expected.
enum CLIError: Error, CustomStringConvertible, Equatable {
    /// A file given on the command line does not exist.
    case fileNotFound(path: String, expected: String)
    /// A file exists but holds something else than the command needs.
    case wrongFileKind(path: String, found: String, expected: String)
    /// An output file exists and the command does not overwrite it.
    case outputExists(path: String)
    /// An option value that is well-formed but not acceptable here.
    case invalidValue(option: String, reason: String)
    /// Work stopped on Ctrl-C; `detail` says what is saved.
    case interrupted(detail: String)
    /// A checkpoint's settings differ from what the command asks for.
    case settingsMismatch(path: String, setting: String, stored: String, requested: String)
    /// Training produced a non-finite loss or parameters; the last checkpoint is kept.
    case diverged(step: Int, detail: String)

    var description: String {
        switch self {
        case let .fileNotFound(path, expected): return "\(path): no such file (expected \(expected))"
        case let .wrongFileKind(path, found, expected): return "\(path): is \(found), expected \(expected)"
        case let .outputExists(path): return "\(path): already exists; give another --output or remove it first"
        case let .invalidValue(option, reason): return "\(option): \(reason)"
        case let .interrupted(detail): return "interrupted: \(detail)"
        case let .settingsMismatch(path, setting, stored, requested):
            return "\(path): was trained with \(setting)=\(stored), this command asks for \(setting)=\(requested)"
        case let .diverged(step, detail):
            return "training diverged at step \(step): \(detail); the last checkpoint was kept (try a smaller learning rate)"
        }
    }
}
