import Foundation
import MetaLearning

extension SHA256 {
    /// The digest of a whole file, read in 1 MiB pieces.
    /// - Throws: `DatasetImportError.unreadable` naming the file.
    public static func hash(fileAt url: URL) throws -> Digest {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw DatasetImportError.unreadable(file: url.path, reason: "cannot open the file for reading")
        }
        defer { try? handle.close() }
        do {
            return try hash(readingToEndOf: handle)
        } catch {
            throw DatasetImportError.unreadable(file: url.path, reason: "read failed: \(error)")
        }
    }
}
