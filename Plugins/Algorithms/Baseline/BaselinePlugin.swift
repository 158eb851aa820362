import MetaLearning

/// The Baseline algorithm plugin (filled in by issue 6).
public enum BaselinePlugin {}
