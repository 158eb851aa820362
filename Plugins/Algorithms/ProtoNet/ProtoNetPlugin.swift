import MetaLearning

/// The ProtoNet algorithm plugin (filled in by issue 6).
public enum ProtoNetPlugin {}
