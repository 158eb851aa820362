import Autograd

/// The four-block convolutional backbone of few-shot learning, in its two
/// standard variants. Each block `i` (1...4) has a 3x3 convolution with 64
/// (`hiddenChannels`) filters, padding 1 and bias (`"conv<i>.weight"`
/// `[64, in, 3, 3]`, `"conv<i>.bias"` `[64]`), batch normalisation with
/// batch statistics (training mode, no running statistics, as MAML uses
/// it) and an affine transform (`"bn<i>.scale"` `[64]` = 1,
/// `"bn<i>.offset"` `[64]` = 0; without the scale when `normalizationScale`
/// is false, as TensorFlow's `batch_norm` defaults in Finn et al.'s code), then ReLU:
///
/// - `.maml` (Finn et al. 2017, Omniglot; learn2learn's `OmniglotCNN`):
///   stride-2 convolutions, then the mean over height and width, giving a
///   64-d embedding for any input size;
/// - `.protoNet` (Snell et al. 2017): stride-1 convolutions, each block
///   followed by 2x2 max pooling, then flattening: `64·⌊⌊⌊⌊H/2⌋/2⌋/2⌋/2⌋·(same for W)`
///   features (64 for 28x28 Omniglot, 1600 for 84x84 miniImageNet);
/// - `.reptile` (Nichol et al. 2018, the `OmniglotModel` of their code):
///   stride-2 convolutions like `.maml`, then flattening instead of the
///   mean: `64·⌈⌈⌈⌈H/2⌉/2⌉/2⌉/2⌉·(same for W)` features (256 for 28x28).
///
/// Weights and biases start like PyTorch's `nn.Conv2d` defaults
/// (kaiming-uniform with a = √5, bias uniform ±1/√fanIn), or with
/// `initialization: .mamlTF` like Finn et al.'s code (Glorot-uniform
/// weights, zero biases).
///
/// The activations between the blocks are kept in `layout`: channels-last
/// (`conv2dChannelsLast`, `batchNormReLUChannelsLast`) by default for the stride-2
/// variants, whose convolutions compute in that layout anyway, so no block
/// transposes its input, output or gradients; channels-first (NCHW: `conv2d`,
/// `batchNormReLU` with pooling) for `.protoNet`. Input, output and parameters are
/// the same in both layouts (images `[N, C, H, W]`, OIHW weights, the embedding in
/// NCHW flattening order), and the outputs equal up to rounding.
///
/// ```swift
/// let backbone = Conv4(variant: .maml, inputChannels: 1)
/// let features = backbone.apply(images, parameters: params)   // [N, 64]
/// ```
public struct Conv4: Model {
    /// The two architectures.
    public enum Variant: String, Sendable, Equatable, CaseIterable {
        case maml
        case protoNet = "protonet"
        case reptile
    }

    /// The memory layout of the activations inside the backbone.
    public enum Layout: String, Sendable, Equatable, CaseIterable {
        /// `[N, C, H, W]`: every variant.
        case channelsFirst
        /// `[N, H, W, C]`: `.maml` and `.reptile` (there is no channels-last max pooling).
        case channelsLast

        /// The default for a variant: channels-last for the stride-2 ones.
        public static func preferred(for variant: Variant) -> Layout {
            variant == .protoNet ? .channelsFirst : .channelsLast
        }
    }

    /// The convolutions' stride: 2 for `.maml` and `.reptile`, 1 for `.protoNet`.
    public var stride: Int { variant == .protoNet ? 1 : 2 }

    public var variant: Variant
    /// Channels of the input images.
    public var inputChannels: Int
    /// Filters per convolution (64 in both papers).
    public var hiddenChannels: Int
    /// Batch-norm epsilon (PyTorch's default 1e-5).
    public var epsilon: Float
    /// The layout of the activations between blocks (see `Layout`).
    public var layout: Layout
    /// Whether batch norm has a learned per-channel scale (`"bn<i>.scale"`);
    /// without it the normalised activations are only offset (TensorFlow's
    /// `batch_norm(scale=False)`, the model of Finn et al.'s reference code).
    public var normalizationScale: Bool
    /// How `initialParameters` draws the convolutions.
    public var initialization: Initializer.Scheme

    /// `layout` defaults to `Layout.preferred(for: variant)`.
    public init(variant: Variant, inputChannels: Int, hiddenChannels: Int = 64, epsilon: Float = 1e-5,
                layout: Layout? = nil, normalizationScale: Bool = true, initialization: Initializer.Scheme = .pytorch) {
        precondition(inputChannels >= 1 && hiddenChannels >= 1, "Conv4: channel counts must be positive")
        let layout = layout ?? .preferred(for: variant)
        precondition(layout == .channelsFirst || variant != .protoNet,
                     "Conv4: the .protoNet variant (max pooling) has no channels-last layout")
        self.variant = variant
        self.inputChannels = inputChannels
        self.hiddenChannels = hiddenChannels
        self.epsilon = epsilon
        self.layout = layout
        self.normalizationScale = normalizationScale
        self.initialization = initialization
    }

    /// The number of blocks.
    public static let blocks = 4

    public var parameterNames: [String] {
        (1...Self.blocks).flatMap { ["conv\($0).weight", "conv\($0).bias"] + normalizationNames(block: $0) }
    }

    /// The batch-norm scales (when `normalizationScale`) and offsets.
    public var normalizationParameterNames: [String] { (1...Self.blocks).flatMap { normalizationNames(block: $0) } }

    private func normalizationNames(block: Int) -> [String] {
        normalizationScale ? ["bn\(block).scale", "bn\(block).offset"] : ["bn\(block).offset"]
    }

    /// Block `block`'s batch-norm scale, `nil` without one.
    private func scale(block: Int, in parameters: ParameterSet, model: String) -> Tensor? {
        normalizationScale ? parameters.required("bn\(block).scale", by: model) : nil
    }

    /// The embedding width for `height x width` inputs.
    public func outputDimension(height: Int, width: Int) -> Int {
        switch variant {
        case .maml:
            return hiddenChannels
        case .protoNet:
            var h = height, w = width
            for _ in 0..<Self.blocks { h /= 2; w /= 2 }
            return hiddenChannels * h * w
        case .reptile:
            // A 3x3 stride-2 convolution with padding 1 maps n to ⌈n/2⌉.
            var h = height, w = width
            for _ in 0..<Self.blocks { h = (h + 1) / 2; w = (w + 1) / 2 }
            return hiddenChannels * h * w
        }
    }

    public func initialParameters(using rng: inout SeededGenerator) -> ParameterSet {
        var pairs: [(String, Tensor)] = []
        for block in 1...Self.blocks {
            let cin = block == 1 ? inputChannels : hiddenChannels
            let fanIn = cin * 9
            switch initialization {
            case .pytorch:
                pairs.append(("conv\(block).weight",
                              Initializer.kaimingUniform(shape: [hiddenChannels, cin, 3, 3], fanIn: fanIn, using: &rng)))
                pairs.append(("conv\(block).bias", Initializer.bias(count: hiddenChannels, fanIn: fanIn, using: &rng)))
            case .mamlTF:
                pairs.append(("conv\(block).weight",
                              Initializer.glorotUniform(shape: [hiddenChannels, cin, 3, 3], fanIn: fanIn,
                                                        fanOut: hiddenChannels * 9, using: &rng)))
                pairs.append(("conv\(block).bias", Tensor(zeros: [hiddenChannels])))
            }
            if normalizationScale { pairs.append(("bn\(block).scale", Tensor(ones: [hiddenChannels]))) }
            pairs.append(("bn\(block).offset", Tensor(zeros: [hiddenChannels])))
        }
        return ParameterSet(pairs)
    }

    /// Images `[N, inputChannels, H, W]` to embeddings `[N, outputDimension(height: H, width: W)]`.
    public func apply(_ input: Tensor, parameters: ParameterSet) -> Tensor {
        precondition(input.rank == 4 && input.shape[1] == inputChannels,
                     "Conv4: input must be [N, \(inputChannels), H, W], got \(input.shape)")
        let model = "Conv4(\(variant.rawValue))"
        if layout == .channelsLast { return applyChannelsLast(input, parameters: parameters, model: model) }
        var x = input
        for block in 1...Self.blocks {
            x = conv2d(x, weight: parameters.required("conv\(block).weight", by: model),
                       bias: parameters.required("conv\(block).bias", by: model),
                       stride: stride, padding: 1)
            // batchNorm, relu (and maxPool2d 2x2) as one fused op: the same values.
            x = batchNormReLU(x, scale: scale(block: block, in: parameters, model: model),
                              offset: parameters.required("bn\(block).offset", by: model), epsilon: epsilon,
                              maxPool: variant == .protoNet)
        }
        switch variant {
        case .maml: return x.mean(axes: [2, 3])
        case .protoNet, .reptile: return x.flattened(from: 1)
        }
    }

    /// `apply` with channels-last activations: one transpose of the input (none for one
    /// channel, the same memory in both layouts), and for `.reptile` one of the last map.
    private func applyChannelsLast(_ input: Tensor, parameters: ParameterSet, model: String) -> Tensor {
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        var x = c == 1 ? input.reshaped([n, h, w, 1]) : input.permuted([0, 2, 3, 1])
        for block in 1...Self.blocks {
            x = conv2dChannelsLast(x, weight: parameters.required("conv\(block).weight", by: model),
                                   bias: parameters.required("conv\(block).bias", by: model),
                                   stride: stride, padding: 1)
            x = batchNormReLUChannelsLast(x, scale: scale(block: block, in: parameters, model: model),
                                          offset: parameters.required("bn\(block).offset", by: model), epsilon: epsilon)
        }
        switch variant {
        case .maml: return x.mean(axes: [1, 2])
        // The NCHW flattening order, which the head's weights (and checkpoints) expect.
        case .reptile: return x.permuted([0, 3, 1, 2]).flattened(from: 1)
        case .protoNet: preconditionFailure("Conv4: the .protoNet variant has no channels-last layout")
        }
    }
}
