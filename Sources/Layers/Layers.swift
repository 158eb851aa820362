import Autograd

/// Models as pure functions of explicit named parameters (filled in by issue 5).
public enum Layers {}
