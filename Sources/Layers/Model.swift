import Autograd

/// A model as a pure function of explicit named parameters (equinox/flax
/// style): the model value holds only its configuration (sizes, names);
/// parameters are a `ParameterSet` passed in, so a MAML inner step is
/// just arithmetic on a value and no module is ever cloned or mutated.
///
/// ```swift
/// let net = MLP(sizes: [1, 40, 40, 1])
/// var rng = SeededGenerator(seed: 0)
/// var params = net.initialParameters(using: &rng)      // "fc1.weight", "fc1.bias", ...
/// let y = net.apply(x, parameters: params)              // [N, 1]
/// ```
public protocol Model: Sendable {
    /// Fresh parameters, initialised like PyTorch's defaults, drawn from `rng` in name order.
    func initialParameters(using rng: inout SeededGenerator) -> ParameterSet
    /// The model's output for a batch `input`, using `parameters`.
    func apply(_ input: Tensor, parameters: ParameterSet) -> Tensor
    /// The parameter names, in the order `initialParameters` returns them.
    var parameterNames: [String] { get }
    /// The names of the normalisation layers' affine parameters (batch-norm
    /// scales and offsets), a subset of `parameterNames`: what MAML's
    /// `inner-params=no-norm` keeps out of its inner loop. Default: none.
    var normalizationParameterNames: [String] { get }
}

extension Model {
    public var normalizationParameterNames: [String] { [] }
}

extension ParameterSet {
    /// The tensor called `name`; a missing parameter is a programming error
    /// (parameters always come from `initialParameters` or a checked
    /// checkpoint), reported with the model and the names present.
    func required(_ name: String, by model: String) -> Tensor {
        guard let tensor = self[name] else {
            preconditionFailure("\(model): parameter '\(name)' is missing (have \(names))")
        }
        return tensor
    }
}
