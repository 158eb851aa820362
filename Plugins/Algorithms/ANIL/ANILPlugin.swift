import MetaLearning

/// The ANIL algorithm plugin (filled in by issue 6).
public enum ANILPlugin {}
