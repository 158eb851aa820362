/// What a node's backward function receives.
struct BackwardContext {
    /// The op's inputs, as they were recorded (with their own graph nodes).
    let inputs: [Tensor]
    /// Whether the gradient of each input is needed (it leads to a requested parameter).
    let needs: [Bool]
    /// The gradient flowing into the op's output (same shape as the output).
    let grad: Tensor
    /// The op's output, attached to this node, so that a `createGraph` backward
    /// that uses it stays differentiable with respect to the inputs.
    let output: Tensor
    /// True when the backward pass is itself being recorded.
    let createGraph: Bool
}

/// Returns the gradient of each input (`nil` where not needed or not differentiable).
typealias BackwardFunction = @Sendable (BackwardContext) -> [Tensor?]

/// One vertex of the dynamic graph: the op that made a tensor, or a trainable leaf.
///
/// Nodes are immutable after creation and only point backwards (to the inputs),
/// so a graph is a DAG without reference cycles and can be shared read-only.
/// A leaf created by `requiringGradient()` has no inputs and no backward.
final class Node: @unchecked Sendable {
    /// The op's inputs (empty for a leaf).
    let inputs: [Tensor]
    /// The backward function (`nil` for a leaf).
    let backward: BackwardFunction?
    /// The output's storage (`nil` for a leaf), to rebuild the output tensor during backward.
    let output: TensorStorage?
    /// The output's shape.
    let shape: [Int]
    /// A short name of the op, for diagnostics.
    let name: StaticString

    /// A trainable leaf.
    init(leafWithShape shape: [Int]) {
        inputs = []
        backward = nil
        output = nil
        self.shape = shape
        name = "leaf"
    }

    /// An op node.
    init(_ name: StaticString, inputs: [Tensor], output: TensorStorage, shape: [Int], backward: @escaping BackwardFunction) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
        self.output = output
        self.shape = shape
    }

    /// True for a trainable leaf.
    var isLeaf: Bool { backward == nil }
}
