import MetaLearning

/// The one explicit list of shipped plugins (filled in by issue 5).
public enum BuiltinPlugins {}
