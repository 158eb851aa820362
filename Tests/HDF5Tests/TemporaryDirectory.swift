import Foundation

/// A fresh directory under the system's temporary folder, removed when the
/// value goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ label: String = "hdf5") {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("metalearn-\(label)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    /// A path inside the directory.
    func file(_ name: String) -> String { path + "/" + name }

    /// The names of the files in the directory.
    func contents() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
