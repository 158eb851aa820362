import MetaLearning

/// The Omniglot dataset plugin (filled in by issue 5).
public enum OmniglotPlugin {}
