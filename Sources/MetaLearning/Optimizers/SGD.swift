import Autograd

/// Stochastic gradient descent with optional momentum, Nesterov momentum and
/// weight decay, matching `torch.optim.SGD` (dampening 0):
/// `g += wd·p; b = μ·b + g; g = nesterov ? g + μ·b : b; p -= lr·g`.
/// With momentum, the state holds one `"momentum_buffer.<name>"` array per parameter.
public struct SGD: MetaOptimizer {
    public var learningRate: Double
    public var momentum: Double
    public var nesterov: Bool
    public var weightDecay: Double

    public init(learningRate: Double, momentum: Double = 0, nesterov: Bool = false, weightDecay: Double = 0) {
        precondition(learningRate >= 0 && momentum >= 0 && weightDecay >= 0,
                     "SGD: learning rate, momentum and weight decay must be non-negative")
        precondition(!nesterov || momentum > 0, "SGD: Nesterov momentum needs momentum > 0")
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public var name: String { "sgd" }

    static func bufferName(_ parameter: String) -> String { "momentum_buffer.\(parameter)" }

    public func initialState(for parameters: ParameterSet) -> OptimizerState {
        guard momentum > 0 else { return OptimizerState() }
        return OptimizerState(arrays: zip(parameters.names, parameters.tensors).map {
            OptimizerSupport.zeros(Self.bufferName($0), like: $1)
        })
    }

    public func update(parameters: ParameterSet, gradients: ParameterSet,
                       state: OptimizerState) -> (ParameterSet, OptimizerState) {
        OptimizerSupport.checkGradients(gradients, match: parameters, optimizer: name)
        let buffers = OptimizerSupport.arraysByName(state)
        let lr = Float(learningRate), mu = Float(momentum), wd = Float(weightDecay)
        let useMomentum = momentum > 0, nesterov = self.nesterov
        var newPairs: [(String, Tensor)] = []
        var newArrays: [NamedArray] = []
        for (i, name) in parameters.names.enumerated() {
            let p = parameters.tensors[i]
            var values = p.scalars
            let grad = gradients.tensors[i].scalars
            var buffer = useMomentum ? (buffers[Self.bufferName(name)]?.values
                                        ?? [Float](repeating: 0, count: values.count)) : []
            precondition(buffer.count == (useMomentum ? values.count : 0), "SGD: momentum buffer of '\(name)' has wrong size")
            values.withUnsafeMutableBufferPointer { pv in
                grad.withUnsafeBufferPointer { gv in
                    buffer.withUnsafeMutableBufferPointer { bv in
                        for k in 0..<pv.count {
                            var g = gv[k]
                            if wd != 0 { g = g + wd * pv[k] }
                            if useMomentum {
                                bv[k] = bv[k] * mu + g
                                g = nesterov ? g + mu * bv[k] : bv[k]
                            }
                            pv[k] = pv[k] - lr * g
                        }
                    }
                }
            }
            newPairs.append((name, Tensor(shape: p.shape, scalars: values)))
            if useMomentum { newArrays.append(NamedArray(name: Self.bufferName(name), shape: p.shape, values: buffer)) }
        }
        return (ParameterSet(newPairs), OptimizerState(arrays: newArrays, scalars: state.scalars))
    }
}
