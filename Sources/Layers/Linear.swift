import Autograd

/// A fully connected layer `y = x·Wᵀ + b` with PyTorch's layout and
/// initialisation: `"<name>.weight"` `[outputs, inputs]` (kaiming-uniform,
/// a = √5) and `"<name>.bias"` `[outputs]` (uniform ±1/√inputs); with
/// `initialization: .mamlTF` a standard-normal weight and a zero bias.
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
    /// How `initialParameters` draws the weights.
    public var initialization: Initializer.Scheme

    public init(inputs: Int, outputs: Int, name: String = "head", initialization: Initializer.Scheme = .pytorch) {
        precondition(inputs >= 1 && outputs >= 1, "Linear: sizes must be positive, got \(inputs) -> \(outputs)")
        self.inputs = inputs
        self.outputs = outputs
        self.name = name
        self.initialization = initialization
    }

    public var weightName: String { "\(name).weight" }
    public var biasName: String { "\(name).bias" }
    public var parameterNames: [String] { [weightName, biasName] }

    public func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
        switch initialization {
        case .pytorch:
            let w = Initializer.kaimingUniform(shape: [outputs, inputs], fanIn: inputs, using: &rng)
            let b = Initializer.bias(count: outputs, fanIn: inputs, using: &rng)
            return ParameterSet([(weightName, w), (biasName, b)])
        case .mamlTF:
            let w = Tensor.randomNormal(shape: [outputs, inputs], using: &rng)
            return ParameterSet([(weightName, w), (biasName, Tensor(zeros: [outputs]))])
        }
    }

    /// `input` `[N, inputs]` to `[N, outputs]`.
    public func apply(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        let w = parameters.required(weightName, by: "Linear '\(name)'")
        let b = parameters.required(biasName, by: "Linear '\(name)'")
        return input.matmul(w.transposed()) + b
    }
}
