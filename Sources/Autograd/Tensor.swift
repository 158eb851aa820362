/// A Float32 n-dimensional array with contiguous row-major storage.
///
/// Placeholder of the foundation commit: the autograd engine (issue 3)
/// replaces this file, keeping these public names.
public struct Tensor: Sendable {
    /// The size of each dimension; `[]` for a scalar.
    public let shape: [Int]
    /// The elements in row-major order.
    public let scalars: [Float]

    /// A tensor with the given shape and row-major elements.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "Tensor: shape \(shape) needs \(shape.reduce(1, *)) elements, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }
}
