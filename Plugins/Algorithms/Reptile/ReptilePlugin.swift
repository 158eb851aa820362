import MetaLearning

/// The Reptile algorithm plugin (filled in by issue 6).
public enum ReptilePlugin {}
