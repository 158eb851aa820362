import Autograd

/// PyTorch's default initialisations, so that models start from the same
/// distribution as their reference implementations.
public enum Initializer {
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
