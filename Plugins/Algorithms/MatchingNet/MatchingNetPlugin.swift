import MetaLearning

/// The MatchingNet algorithm plugin (filled in by issue 6).
public enum MatchingNetPlugin {}
