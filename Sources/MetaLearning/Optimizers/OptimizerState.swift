/// A meta-optimizer's state as a plain value (optax style): named Float
/// arrays (moments, momentum buffers) and named scalars (the step count).
/// It maps one-to-one onto a `Checkpoint`'s `optimizerState` and
/// `optimizerScalars`, so resuming restores it exactly.
public struct OptimizerState: Sendable, Equatable {
    /// State buffers, such as `"exp_avg.conv1.weight"`.
    public var arrays: [NamedArray]
    /// Scalar state, such as `["step": 12]`.
    public var scalars: [String: Double]

    public init(arrays: [NamedArray] = [], scalars: [String: Double] = [:]) {
        self.arrays = arrays
        self.scalars = scalars
    }

    /// The array called `name`, if any.
    public func array(named name: String) -> NamedArray? { arrays.first { $0.name == name } }
}
