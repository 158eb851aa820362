import Autograd

/// Initialisations, so that models start from the same distribution as
/// their reference implementations: PyTorch's defaults (every model's
/// default), and the scheme of Finn et al.'s TensorFlow MAML code.
public enum Initializer {
    /// Which reference a model's initial parameters follow.
    public enum Scheme: String, Sendable, Equatable, CaseIterable {
        /// PyTorch's `nn.Conv2d` / `nn.Linear` defaults (`kaimingUniform`, `bias`).
        case pytorch
        /// Finn et al.'s `maml.py` (`construct_conv_weights`) for Omniglot:
        /// convolutions `xavier_initializer_conv2d` (`glorotUniform`), zero
        /// convolution biases, the head `tf.random_normal` (standard normal)
        /// with a zero bias.
        case mamlTF = "maml-tf"
    }

    /// Glorot (Xavier) uniform: uniform in `±sqrt(6/(fanIn + fanOut))`
    /// (TensorFlow's `xavier_initializer`; for a `k x k` convolution
    /// `fanIn = k·k·inChannels`, `fanOut = k·k·outChannels`).
    public static func glorotUniform(shape: [Int], fanIn: Int, fanOut: Int, using rng: inout SeededGenerator) -> Tensor {
        let bound = (6 / Float(fanIn + fanOut)).squareRoot()
        return Tensor.randomUniform(shape: shape, low: -bound, high: bound, using: &rng)
    }

    /// `torch.nn.init.kaiming_uniform_(w, a=sqrt(5))`, the default of `nn.Linear`
    /// and `nn.Conv2d` weights: uniform in `±gain·sqrt(3/fanIn)` with
    /// `gain = sqrt(2/(1+a²)) = sqrt(1/3)`, that is `±1/sqrt(fanIn)`.
    public static func kaimingUniform(shape: [Int], fanIn: Int, using rng: inout SeededGenerator) -> Tensor {
        let bound = 1 / Float(fanIn).squareRoot()
        return Tensor.randomUniform(shape: shape, low: -bound, high: bound, using: &rng)
    }

    /// The default bias of `nn.Linear` and `nn.Conv2d`: uniform in `±1/sqrt(fanIn)`.
    public static func bias(count: Int, fanIn: Int, using rng: inout SeededGenerator) -> Tensor {
        let bound = 1 / Float(fanIn).squareRoot()
        return Tensor.randomUniform(shape: [count], low: -bound, high: bound, using: &rng)
    }
}
