import Foundation
import MetaLearning

/// Turns any error into the one-line message the CLI prints, and picks the
/// exit status (1, or 130 after Ctrl-C as shells expect).
enum ErrorMessage {
    /// The error's message: its `description` for MetaLearn's typed errors,
    /// the localized description for Foundation errors. Multi-line messages
    /// (an importer listing every layout problem) keep their first line first.
    static func oneLine(_ error: any Error) -> String {
        if let e = error as? DecodingError { return describe(e) }
        if let e = error as? CocoaError {
            let path = e.filePath ?? e.url?.path
            let reason = e.underlying.map { String(describing: $0) } ?? e.localizedDescription
            return path.map { "\($0): \(reason)" } ?? reason
        }
        if let e = error as? LocalizedError, let text = e.errorDescription { return text }
        return String(describing: error)
    }

    /// 130 for an interruption (Ctrl-C), 64 (usage) for an unknown algorithm,
    /// dataset or option, 1 for every other failure.
    static func exitCode(_ error: any Error) -> Int32 {
        switch error {
        case CLIError.interrupted, ComparisonError.interrupted: return 130
        case PluginRegistryError.unknownAlgorithm, PluginRegistryError.unknownDataset, is OptionError: return 64
        default: return 1
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "invalid JSON: missing key '\(key.stringValue)'"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            return "invalid JSON\(path.isEmpty ? "" : " at \(path)"): \(c.debugDescription)"
        @unknown default: return "invalid JSON"
        }
    }
}
