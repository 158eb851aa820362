import MetaLearning

/// The Sinusoid dataset plugin (filled in by issue 5).
public enum SinusoidPlugin {}
