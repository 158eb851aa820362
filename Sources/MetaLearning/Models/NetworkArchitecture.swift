import Layers

/// The standard networks algorithms build for a `ProblemSpec`, selectable
/// by one shared option (`backbone`) so every algorithm plugin spells it
/// the same way:
///
/// - `conv4-maml`: `Conv4(.maml)` + `Linear(64 -> ways)` (Finn et al. 2017;
///   learn2learn's `OmniglotCNN`);
/// - `conv4-maml-tf`: the same network as Finn et al.'s TensorFlow code
///   builds it: batch norm without a scale and with epsilon 1e-3
///   (`tf.contrib.layers.batch_norm`'s defaults), Glorot-uniform
///   convolutions with zero biases, a standard-normal head with a zero bias
///   (`Initializer.Scheme.mamlTF`);
/// - `conv4-protonet`: `Conv4(.protoNet)` + a linear head on the flattened features;
/// - `conv4-reptile`: `Conv4(.reptile)` + a linear head on the flattened
///   2x2x64 features (Nichol et al. 2018's Omniglot model);
/// - `mlp`: `MLP([D, 40, 40])` with ReLU + `Linear(40 -> out)`, the MAML sinusoid network;
/// - `auto` (default): `conv4-maml` for images, `mlp` for regression.
///
/// ```swift
/// let arch = try NetworkArchitecture(option: context.options.string("backbone"))
/// let net = try arch.network(for: context.problem)          // head width = ways
/// let baseline = try arch.network(for: context.problem, outputs: trainingClasses)
/// ```
public enum NetworkArchitecture: String, Sendable, Equatable, CaseIterable {
    case auto
    case conv4MAML = "conv4-maml"
    case conv4MAMLTF = "conv4-maml-tf"
    case conv4ProtoNet = "conv4-protonet"
    case conv4Reptile = "conv4-reptile"
    case mlp

    /// The shared option declaration for plugins.
    public static let option = OptionSpec.string(
        "backbone", default: "auto",
        help: "network: auto, conv4-maml, conv4-maml-tf (as Finn et al.'s code: no batch-norm scale, epsilon 1e-3, its initialisation), conv4-protonet, conv4-reptile or mlp (auto: conv4-maml for images, mlp for regression)")

    /// Parses an option value; throws `OptionError.invalidValue` naming the choices.
    public init(option value: String) throws {
        guard let parsed = NetworkArchitecture(rawValue: value) else {
            throw OptionError.invalidValue(owner: "option 'backbone' (one of "
                                           + NetworkArchitecture.allCases.map(\.rawValue).joined(separator: ", ") + ")",
                                           name: "backbone", value: value, expected: .string)
        }
        self = parsed
    }

    /// `auto` resolved for `problem`.
    public func resolved(for problem: ProblemSpec) -> NetworkArchitecture {
        guard self == .auto else { return self }
        return problem.kind == .classification ? .conv4MAML : .mlp
    }

    /// The network for `problem` with `outputs` head units (default:
    /// `problem.outputDimension`). Throws `NetworkArchitectureError` when a
    /// convolutional backbone is asked for vector inputs or leaves no features
    /// for images this small, so plugins need no checks of their own.
    public func network(for problem: ProblemSpec, outputs: Int? = nil, hiddenUnits: Int = 40) throws -> Network {
        let width = outputs ?? problem.outputDimension
        switch (resolved(for: problem), problem) {
        case (.conv4MAML, .classification(_, let c, let h, let w, _)),
             (.conv4MAMLTF, .classification(_, let c, let h, let w, _)),
             (.conv4ProtoNet, .classification(_, let c, let h, let w, _)),
             (.conv4Reptile, .classification(_, let c, let h, let w, _)):
            let backbone: Conv4
            switch resolved(for: problem) {
            case .conv4MAML: backbone = Conv4(variant: .maml, inputChannels: c)
            case .conv4MAMLTF: backbone = Conv4(variant: .maml, inputChannels: c, epsilon: 1e-3, normalizationScale: false,
                                                initialization: .mamlTF)
            case .conv4Reptile: backbone = Conv4(variant: .reptile, inputChannels: c)
            default: backbone = Conv4(variant: .protoNet, inputChannels: c)
            }
            guard backbone.outputDimension(height: h, width: w) > 0 else {
                throw NetworkArchitectureError.inputTooSmall(backbone: resolved(for: problem).rawValue,
                                                             inputShape: problem.inputShape)
            }
            return Network(backbone: backbone,
                           head: Linear(inputs: backbone.outputDimension(height: h, width: w), outputs: width,
                                        initialization: backbone.initialization))
        case (.mlp, _):
            let inputs = problem.inputShape.reduce(1, *)
            return Network(backbone: MLP(sizes: [inputs, hiddenUnits, hiddenUnits], activateLast: true),
                           head: Linear(inputs: hiddenUnits, outputs: width))
        default:
            throw NetworkArchitectureError.unsupportedProblem(backbone: rawValue, problem: problem.kind)
        }
    }
}
