import MetaLearning

/// Archive reading and image decoding for dataset importers (filled in by issue 5).
public enum DatasetImport {}
