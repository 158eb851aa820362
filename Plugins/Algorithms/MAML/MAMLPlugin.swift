import MetaLearning

/// The MAML algorithm plugin (filled in by issue 6).
public enum MAMLPlugin {}
