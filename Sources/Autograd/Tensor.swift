/// A Float32 n-dimensional array with contiguous row-major storage and
/// reverse-mode automatic differentiation.
///
/// `Tensor` has value semantics: its elements never change after creation, so
/// copies can share storage freely (reshaping is free). A tensor that requires
/// gradient (a trainable leaf made by `requiringGradient()`, or the result of
/// an op on such tensors while recording) carries a reference to its graph
/// node; `gradients(of:with:createGraph:)` walks these nodes backwards.
///
/// ```swift
/// var rng = SeededGenerator(seed: 1)
/// let w = Tensor.randomNormal(shape: [3, 2], using: &rng).requiringGradient()
/// let x = Tensor(shape: [4, 3], scalars: (0..<12).map(Float.init))
/// let loss = x.matmul(w).relu().mean()
/// let g = gradients(of: loss, with: [w])[0]      // shape [3, 2]
/// ```
public struct Tensor: Sendable {
    /// The elements (immutable, possibly shared with other tensors; only
    /// `accumulateInPlace` writes them again, when nothing else can see them).
    private(set) var storage: TensorStorage
    /// The size of each dimension; `[]` for a scalar.
    public let shape: [Int]
    /// The graph node that produced this tensor, or its leaf node; `nil` for constants.
    var node: Node?

    init(storage: TensorStorage, shape: [Int], node: Node? = nil) {
        self.storage = storage
        self.shape = shape
        self.node = node
    }

    /// A tensor with the given shape and row-major elements.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(Shape.count(shape) == scalars.count,
                     "Tensor: shape \(shape) needs \(Shape.count(shape)) elements, got \(scalars.count)")
        self.init(storage: TensorStorage(scalars), shape: shape)
    }

    /// A rank-0 tensor holding `scalar`.
    public init(_ scalar: Float) {
        self.init(storage: TensorStorage(count: 1, repeating: scalar), shape: [])
    }

    /// A tensor of the given shape with every element equal to `value`.
    public init(repeating value: Float, shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        self.init(storage: TensorStorage(count: Shape.count(shape), repeating: value), shape: shape)
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) { self.init(repeating: 0, shape: shape) }

    /// A tensor of ones.
    public init(ones shape: [Int]) { self.init(repeating: 1, shape: shape) }

    /// Samples every element from a normal distribution, using `rng` only.
    public static func randomNormal(shape: [Int], mean: Float = 0, std: Float = 1,
                                    using rng: inout SeededGenerator) -> Tensor {
        let n = Shape.count(shape)
        let s = TensorStorage(uninitializedCount: n)
        for i in 0..<n { s.base[i] = mean + std * Float(rng.nextNormal()) }
        return Tensor(storage: s, shape: shape)
    }

    /// Samples every element uniformly from `[low, high)`, using `rng` only.
    public static func randomUniform(shape: [Int], low: Float, high: Float,
                                     using rng: inout SeededGenerator) -> Tensor {
        let n = Shape.count(shape)
        let s = TensorStorage(uninitializedCount: n)
        let width = high - low
        for i in 0..<n { s.base[i] = low + width * rng.nextUnitFloat() }
        return Tensor(storage: s, shape: shape)
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// The number of elements.
    public var count: Int { storage.count }
    /// A copy of the elements in row-major order.
    public var scalars: [Float] { Array(storage.buffer) }
    /// The single element of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "Tensor.scalar: tensor of shape \(shape) has \(count) elements, expected 1")
        return storage.base[0]
    }

    /// Calls `body` with a read-only view of the row-major elements.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(storage.buffer)
    }

    /// True when this tensor is a trainable leaf or was computed from one while recording.
    ///
    /// Setting `true` turns the tensor into a new trainable leaf (unless it already
    /// requires gradient); setting `false` detaches it.
    public var requiresGradient: Bool {
        get { node != nil }
        set {
            if newValue { if node == nil { node = Node(leafWithShape: shape) } } else { node = nil }
        }
    }

    /// This tensor as a trainable leaf: gradients can be taken with respect to it.
    /// A tensor that already requires gradient is returned unchanged.
    public func requiringGradient() -> Tensor {
        if node != nil { return self }
        return Tensor(storage: storage, shape: shape, node: Node(leafWithShape: shape))
    }

    /// The same values without a graph node: gradients do not flow through it.
    public func detached() -> Tensor { Tensor(storage: storage, shape: shape) }

    /// True when the tensor is a trainable leaf (it requires gradient and was not computed by an op).
    public var isLeaf: Bool { node?.isLeaf ?? true }

    /// The element at a multi-dimensional index (for tests and inspection).
    public subscript(index: Int...) -> Float {
        precondition(index.count == rank, "Tensor subscript: \(index.count) indices for rank \(rank)")
        var offset = 0
        for (d, i) in index.enumerated() {
            precondition(i >= 0 && i < shape[d], "Tensor subscript: index \(i) out of range 0..<\(shape[d]) in dim \(d)")
            offset = offset &* shape[d] &+ i
        }
        return storage.base[offset]
    }
}

extension Tensor: CustomStringConvertible {
    /// A short description: shape and up to the first 8 elements.
    public var description: String {
        let shown = Array(storage.buffer.prefix(8)).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", ..." : "")]\(node != nil ? ", requiresGradient" : ""))"
    }
}

// MARK: - Recording

extension Tensor {
    /// True when an op on `inputs` must record a node: recording is on and some input requires gradient.
    @inline(__always)
    static func shouldRecord(_ a: Tensor) -> Bool {
        a.node != nil && GradientMode.isRecording
    }

    @inline(__always)
    static func shouldRecord(_ a: Tensor, _ b: Tensor) -> Bool {
        (a.node != nil || b.node != nil) && GradientMode.isRecording
    }

    static func shouldRecord(_ inputs: [Tensor]) -> Bool {
        inputs.contains { $0.node != nil } && GradientMode.isRecording
    }

    /// Adds `other` (the same shape) into this tensor's own elements when no other tensor,
    /// node or caller holds them, and it is not part of a graph: how `gradients` sums the
    /// contributions to a value used by several ops, without a new buffer and a pass over
    /// both for each. The same bits as `self + other`. Returns false, changing nothing,
    /// when it cannot.
    mutating func accumulateInPlace(_ other: Tensor) -> Bool {
        guard node == nil, shape == other.shape, storage !== other.storage,
              isKnownUniquelyReferenced(&storage) else { return false }
        UnalignedSIMD.add(other.storage.base, into: storage.base, count: count)
        return true
    }

    /// Wraps a freshly computed storage as the result of an op, recording a node if needed.
    /// `backward` is only evaluated (its closure only allocated) when a node is recorded.
    @inline(__always)
    static func result(_ name: StaticString, _ storage: TensorStorage, shape: [Int], inputs: [Tensor],
                       record: Bool, backward: @autoclosure () -> BackwardFunction) -> Tensor {
        if record {
            let node = Node(name, inputs: inputs, output: storage, shape: shape, backward: backward())
            return Tensor(storage: storage, shape: shape, node: node)
        }
        return Tensor(storage: storage, shape: shape)
    }
}
