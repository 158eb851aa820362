import Autograd

/// A backbone followed by a linear head: the model of every algorithm.
/// `embed` gives the backbone's features (what ProtoNet and MatchingNet
/// compare, what ANIL freezes in its inner loop); `apply` gives the head's
/// outputs (logits or regression values).
///
/// Parameters are the backbone's (`"conv1.weight"`, ... or `"fc1.weight"`, ...)
/// followed by the head's (`"head.weight"`, `"head.bias"`).
///
/// ```swift
/// // MAML Omniglot 5-way: Conv4 (stride 2, mean pool) + Linear(64 -> 5) = 112,261 parameters.
/// let net = Network(backbone: Conv4(variant: .maml, inputChannels: 1),
///                   head: Linear(inputs: 64, outputs: 5))
/// let logits = net.apply(images, parameters: params)                 // [N, 5]
/// let (body, head) = net.split(params)                               // for ANIL
/// ```
public struct Network: Model {
    /// The feature extractor.
    public var backbone: any Model
    /// The output layer (named `"head"` by default).
    public var head: Linear

    public init(backbone: any Model, head: Linear) {
        self.backbone = backbone
        self.head = head
    }

    public var parameterNames: [String] { backbone.parameterNames + head.parameterNames }

    /// The backbone's normalisation parameters (the head has none).
    public var normalizationParameterNames: [String] { backbone.normalizationParameterNames }

    /// The head's parameter names.
    public var headParameterNames: [String] { head.parameterNames }

    public func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
        let body = backbone.initialParameters(using: &rng)
        let top = head.initialParameters(using: &rng)
        return ParameterSet(zip(body.names, body.tensors).map { ($0, $1) } + zip(top.names, top.tensors).map { ($0, $1) })
    }

    /// The backbone's features of `input`.
    public func embed(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        backbone.apply(input, parameters: parameters)
    }

    /// The head's outputs for `input`.
    public func apply(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        head.apply(embed(input, parameters: parameters), parameters: parameters)
    }

    /// The head's outputs for already computed features.
    public func applyHead(_ features: Tensor, parameters: ParameterSet) -> Tensor {
        head.apply(features, parameters: parameters)
    }

    /// `parameters` split into the backbone's and the head's (both keep their order).
    public func split(_ parameters: ParameterSet) -> (body: ParameterSet, head: ParameterSet) {
        let headNames = Set(headParameterNames)
        var body: [(String, Tensor)] = [], top: [(String, Tensor)] = []
        for (name, tensor) in zip(parameters.names, parameters.tensors) {
            if headNames.contains(name) { top.append((name, tensor)) } else { body.append((name, tensor)) }
        }
        return (ParameterSet(body), ParameterSet(top))
    }

    /// `body` and `head` joined back in network order (backbone, then head).
    public func merge(body: ParameterSet, head: ParameterSet) -> ParameterSet {
        ParameterSet(zip(body.names, body.tensors).map { ($0, $1) } + zip(head.names, head.tensors).map { ($0, $1) })
    }
}
