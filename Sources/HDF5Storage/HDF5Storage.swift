import HDF5
import MetaLearning

/// HDF5 implementations of the core storage protocols (filled in by issue 4).
public enum HDF5Storage {}
