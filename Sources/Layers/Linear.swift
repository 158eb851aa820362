import Autograd

/// A fully connected layer `y = x·Wᵀ + b` with PyTorch's layout and
/// initialisation: `"<name>.weight"` `[outputs, inputs]` (kaiming-uniform,
/// a = √5) and `"<name>.bias"` `[outputs]` (uniform ±1/√inputs).
///
/// ```swift
/// let head = Linear(inputs: 64, outputs: 5, name: "head")  // "head.weight" [5, 64], "head.bias" [5]
/// let logits = head.apply(features, parameters: params)     // [N, 5]
/// ```
public struct Linear: Model {
    public var inputs: Int
    public var outputs: Int
    /// The parameter-name prefix (`"head"` gives `"head.weight"`, `"head.bias"`).
    public var name: String

    public init(inputs: Int, outputs: Int, name: String = "head") {
        precondition(inputs >= 1 && outputs >= 1, "Linear: sizes must be positive, got \(inputs) -> \(outputs)")
        self.inputs = inputs
        self.outputs = outputs
        self.name = name
    }

    public var weightName: String { "\(name).weight" }
    public var biasName: String { "\(name).bias" }
    public var parameterNames: [String] { [weightName, biasName] }

    public func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
        let w = Initializer.kaimingUniform(shape: [outputs, inputs], fanIn: inputs, using: &rng)
        let b = Initializer.bias(count: outputs, fanIn: inputs, using: &rng)
        return ParameterSet([(weightName, w), (biasName, b)])
    }

    /// `input` `[N, inputs]` to `[N, outputs]`.
    public func apply(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        let w = parameters.required(weightName, by: "Linear '\(name)'")
        let b = parameters.required(biasName, by: "Linear '\(name)'")
        return input.matmul(w.transposed()) + b
    }
}
