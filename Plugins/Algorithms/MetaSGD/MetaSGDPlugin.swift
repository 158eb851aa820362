import MetaLearning

/// The MetaSGD algorithm plugin (filled in by issue 6).
public enum MetaSGDPlugin {}
