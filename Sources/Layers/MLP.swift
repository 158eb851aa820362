import Autograd

/// A multi-layer perceptron: `Linear` layers named `"<prefix>1"`,
/// `"<prefix>2"`, ... with ReLU between them (and after the last one when
/// `activateLast`, for use as a backbone).
///
/// ```swift
/// // The MAML sinusoid network: 1 -> 40 -> 40 -> 1.
/// let net = MLP(sizes: [1, 40, 40, 1])     // fc1.weight [40, 1], ..., fc3.bias [1]
/// ```
public struct MLP: Model {
    /// Layer widths, input first: `[1, 40, 40, 1]` has three linear layers.
    public var sizes: [Int]
    /// Whether a ReLU follows the last layer too.
    public var activateLast: Bool
    /// Parameter-name prefix of the layers.
    public var prefix: String

    public init(sizes: [Int], activateLast: Bool = false, prefix: String = "fc") {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 >= 1 },
                     "MLP: need at least two positive sizes, got \(sizes)")
        self.sizes = sizes
        self.activateLast = activateLast
        self.prefix = prefix
    }

    /// The linear layers, in order.
    public var layers: [Linear] {
        (1..<sizes.count).map { Linear(inputs: sizes[$0 - 1], outputs: sizes[$0], name: "\(prefix)\($0)") }
    }

    /// The output width.
    public var outputDimension: Int { sizes.last! }

    public var parameterNames: [String] { layers.flatMap(\.parameterNames) }

    public func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
        var pairs: [(String, Tensor)] = []
        for layer in layers {
            let p = layer.initialParameters(using: &rng)
            pairs += zip(p.names, p.tensors).map { ($0, $1) }
        }
        return ParameterSet(pairs)
    }

    /// `input` `[N, sizes.first]` to `[N, sizes.last]`; inputs of higher rank
    /// (images) are flattened per sample first.
    public func apply(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        var x = input.rank > 2 ? input.flattened(from: 1) : input
        let layers = self.layers
        for (i, layer) in layers.enumerated() {
            x = layer.apply(x, parameters: parameters)
            if i < layers.count - 1 || activateLast { x = x.relu() }
        }
        return x
    }
}
