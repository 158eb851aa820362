/// The three kinds of MetaLearn HDF5 file, identified by the root attribute
/// `format`; each has its own `formatVersion` (see docs/hdf5-format.md).
public enum MetaLearnFileKind: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Images, labels, class names, splits, provenance.
    case dataset = "metalearn.dataset"
    /// A fixed list of index-only episodes for one dataset and sampler configuration.
    case episodes = "metalearn.episodes"
    /// Parameters, optimizer state, step, RNG state, configuration, metrics.
    case checkpoint = "metalearn.checkpoint"

    /// The `formatVersion` this MetaLearn writes, and the newest it reads.
    public var currentVersion: Int { 1 }

    /// The value of the `format` attribute.
    public var formatName: String { rawValue }

    /// The `format` attribute value.
    public var description: String { rawValue }
}
