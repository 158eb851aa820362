import Autograd

/// A meta-optimizer as a pure pair of functions over values (optax style):
/// `initialState(for:)` and `update(parameters:gradients:state:)`. No
/// graph is recorded; implementations work on raw Float buffers.
///
/// ```swift
/// let adam = Adam(learningRate: 1e-3)
/// var state = adam.initialState(for: parameters)
/// (parameters, state) = adam.update(parameters: parameters, gradients: meanGradient, state: state)
/// ```
public protocol MetaOptimizer: Sendable {
    /// The name stored in checkpoints (`"adam"`, `"sgd"`).
    var name: String { get }
    /// The step size, which `MetaTrainer` scales by its `LearningRateSchedule`.
    var learningRate: Double { get set }
    /// The state before the first update, for parameters shaped like `parameters`.
    func initialState(for parameters: ParameterSet) -> OptimizerState
    /// One step: new parameters and new state. `gradients` must have the
    /// same names and shapes as `parameters` (a precondition).
    func update(parameters: ParameterSet, gradients: ParameterSet,
                state: OptimizerState) -> (ParameterSet, OptimizerState)
    /// Throws `OptimizerStateError` if `state` (say, from a checkpoint)
    /// does not fit `parameters`. The default compares array names and
    /// shapes and scalar names with `initialState(for:)`.
    func validate(state: OptimizerState, for parameters: ParameterSet) throws
}

extension MetaOptimizer {
    public func validate(state: OptimizerState, for parameters: ParameterSet) throws {
        let reference = initialState(for: parameters)
        let found = Dictionary(state.arrays.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        for array in reference.arrays {
            guard let shape = found[array.name] else {
                throw OptimizerStateError.missingArray(optimizer: name, name: array.name)
            }
            guard shape == array.shape else {
                throw OptimizerStateError.shapeMismatch(optimizer: name, name: array.name, expected: array.shape,
                                                        found: shape)
            }
        }
        let expectedNames = Set(reference.arrays.map(\.name))
        if let extra = state.arrays.first(where: { !expectedNames.contains($0.name) }) {
            throw OptimizerStateError.unexpectedArray(optimizer: name, name: extra.name)
        }
        for key in reference.scalars.keys.sorted() where state.scalars[key] == nil {
            throw OptimizerStateError.missingScalar(optimizer: name, name: key)
        }
    }
}

/// Shared plumbing of the built-in optimizers.
enum OptimizerSupport {
    /// Checks that `gradients` match `parameters` name by name and shape by shape.
    static func checkGradients(_ gradients: ParameterSet, match parameters: ParameterSet, optimizer: String) {
        precondition(gradients.names == parameters.names,
                     "\(optimizer): gradient names \(gradients.names) differ from parameter names \(parameters.names)")
        for (g, p) in zip(gradients.tensors, parameters.tensors) {
            precondition(g.shape == p.shape, "\(optimizer): gradient shape \(g.shape) differs from parameter shape \(p.shape)")
        }
    }

    /// State arrays by name, for lookups in `update`.
    static func arraysByName(_ state: OptimizerState) -> [String: NamedArray] {
        Dictionary(state.arrays.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// A zero state array shaped like `tensor`.
    static func zeros(_ name: String, like tensor: Tensor) -> NamedArray {
        NamedArray(name: name, shape: tensor.shape, values: [Float](repeating: 0, count: tensor.scalars.count))
    }
}
