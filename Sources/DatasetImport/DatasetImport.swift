/// Shared machinery for dataset importers: zip archives (`ZipArchiveReader`)
/// and folders (`ImageSource`), PNG decoding (`PNGDecoder`), exact area
/// resizing (`AreaResizer`), parallel loading (`ParallelImageLoader`), the
/// generic `ImageFolderImporter`, SHA-256 for provenance, and a `ProgressBar`.
public enum DatasetImport {
    /// Written into every imported dataset's provenance as `importer_version`.
    public static let version = "1.0"
}
