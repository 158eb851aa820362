/// An ordered collection of named tensors: a model's parameters, their gradients,
/// or optimiser state. Names are unique; order is insertion order (and is the
/// order used for reductions, so results are deterministic).
///
/// ```swift
/// var params = ParameterSet([("w", w), ("b", b)]).requiringGradient()
/// let grads = gradients(of: loss(params), with: params)
/// params = params.combined(with: grads) { _, p, g in p - 0.1 * g }
/// ```
public struct ParameterSet: Sendable, Sequence {
    /// The names, in order.
    public private(set) var names: [String]
    /// The tensors, in the order of `names`.
    public private(set) var tensors: [Tensor]
    private var positions: [String: Int]

    /// An empty set.
    public init() {
        names = []
        tensors = []
        positions = [:]
    }

    /// A set from `(name, tensor)` pairs; names must be unique.
    public init(_ pairs: [(String, Tensor)]) {
        self.init()
        for (name, tensor) in pairs {
            precondition(positions[name] == nil, "ParameterSet: duplicate parameter name '\(name)'")
            positions[name] = names.count
            names.append(name)
            tensors.append(tensor)
        }
    }

    /// The number of tensors.
    public var count: Int { names.count }

    /// The total number of scalars over all tensors.
    public var parameterCount: Int { tensors.reduce(0) { $0 + $1.count } }

    /// The tensor named `name`. Setting a new name appends it; setting `nil` removes it.
    public subscript(name: String) -> Tensor? {
        get { positions[name].map { tensors[$0] } }
        set {
            if let i = positions[name] {
                if let newValue { tensors[i] = newValue } else {
                    names.remove(at: i)
                    tensors.remove(at: i)
                    positions = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
                }
            } else if let newValue {
                positions[name] = names.count
                names.append(name)
                tensors.append(newValue)
            }
        }
    }

    /// A set with the same names and `f(name, tensor)` as tensors.
    public func mapTensors(_ f: (String, Tensor) throws -> Tensor) rethrows -> ParameterSet {
        var copy = self
        for i in 0..<count { copy.tensors[i] = try f(names[i], tensors[i]) }
        return copy
    }

    /// Combines two sets with the same names, tensor by tensor (e.g. an SGD step
    /// `params.combined(with: grads) { _, p, g in p - lr * g }`).
    public func combined(with other: ParameterSet, _ f: (String, Tensor, Tensor) throws -> Tensor) rethrows -> ParameterSet {
        precondition(other.names == names, "ParameterSet.combined: names differ: \(names) vs \(other.names)")
        var copy = self
        for i in 0..<count { copy.tensors[i] = try f(names[i], tensors[i], other.tensors[i]) }
        return copy
    }

    /// The pairs whose names satisfy `isIncluded`, in order.
    public func subset(where isIncluded: (String) throws -> Bool) rethrows -> ParameterSet {
        var pairs: [(String, Tensor)] = []
        for (name, tensor) in zip(names, tensors) where try isIncluded(name) { pairs.append((name, tensor)) }
        return ParameterSet(pairs)
    }

    /// A copy whose tensors named in `other` are `other`'s (order unchanged);
    /// every name of `other` must be in the set.
    public func replacing(with other: ParameterSet) -> ParameterSet {
        var copy = self
        for (name, tensor) in zip(other.names, other.tensors) {
            guard let i = positions[name] else {
                preconditionFailure("ParameterSet.replacing: '\(name)' is not in \(names)")
            }
            copy.tensors[i] = tensor
        }
        return copy
    }

    /// Every tensor as a trainable leaf.
    public func requiringGradient() -> ParameterSet { mapTensors { $1.requiringGradient() } }

    /// Every tensor detached from its graph.
    public func detached() -> ParameterSet { mapTensors { $1.detached() } }

    /// Iterates `(name, tensor)` pairs in order.
    public func makeIterator() -> Iterator { Iterator(set: self, position: 0) }

    /// The iterator over `(name, tensor)` pairs.
    public struct Iterator: IteratorProtocol {
        let set: ParameterSet
        var position: Int

        /// The next pair, or `nil` at the end.
        public mutating func next() -> (name: String, tensor: Tensor)? {
            guard position < set.count else { return nil }
            defer { position += 1 }
            return (set.names[position], set.tensors[position])
        }
    }
}
