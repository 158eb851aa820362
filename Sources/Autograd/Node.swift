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
///
/// Graphs of unrolled inner loops can be hundreds of thousands of nodes deep, so
/// a node tears down its exclusively owned ancestors iteratively (see `deinit`)
/// instead of by recursive release, which would overflow a thread's stack.
final class Node: @unchecked Sendable {
    /// The op's inputs (empty for a leaf). Only `deinit` mutates it.
    private(set) var inputs: [Tensor]
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

    deinit {
        if inputs.isEmpty { return }
        var pending: [Node] = []
        Node.detachExclusiveInputs(&inputs, into: &pending)
        while let node = pending.popLast() {
            // `pending` holds the only reference: empty its inputs before it is released,
            // so its own deinit returns at once.
            Node.detachExclusiveInputs(&node.inputs, into: &pending)
        }
    }

    /// Moves the input nodes referenced only from `inputs` into `pending`.
    private static func detachExclusiveInputs(_ inputs: inout [Tensor], into pending: inout [Node]) {
        for i in inputs.indices where inputs[i].node != nil {
            if isKnownUniquelyReferenced(&inputs[i].node), let node = inputs[i].node {
                inputs[i].node = nil
                pending.append(node)
            }
        }
        inputs.removeAll()
    }
}
