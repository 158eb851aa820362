import Autograd
import Foundation

/// Adam (Kingma & Ba 2015) exactly as `torch.optim.Adam` computes it
/// (`amsgrad=False`, optional L2 `weightDecay`), in Float32 with the bias
/// corrections in Double:
///
/// ```text
/// t += 1;  g += wd·p
/// m = m + (1-β1)·(g - m)            // torch: exp_avg.lerp_(g, 1-β1)
/// v = β2·v + (1-β2)·g·g             // torch: exp_avg_sq.mul_(β2).addcmul_(g, g, 1-β2)
/// step = lr / (1 - β1^t)
/// denom = sqrt(v) / sqrt(1 - β2^t) + ε
/// p = p + (-step)·m / denom         // torch: p.addcdiv_(m, denom, value=-step)
/// ```
///
/// State: `"exp_avg.<name>"`, `"exp_avg_sq.<name>"` per parameter and the
/// scalar `"step"`.
public struct Adam: MetaOptimizer {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var weightDecay: Double

    /// PyTorch's defaults: `lr=1e-3, betas=(0.9, 0.999), eps=1e-8`.
    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0) {
        precondition(learningRate >= 0 && epsilon >= 0 && weightDecay >= 0,
                     "Adam: learning rate, epsilon and weight decay must be non-negative")
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: betas must lie in [0, 1)")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public var name: String { "adam" }

    static func firstMomentName(_ parameter: String) -> String { "exp_avg.\(parameter)" }
    static func secondMomentName(_ parameter: String) -> String { "exp_avg_sq.\(parameter)" }

    public func initialState(for parameters: ParameterSet) -> OptimizerState {
        var arrays: [NamedArray] = []
        for (name, tensor) in zip(parameters.names, parameters.tensors) {
            arrays.append(OptimizerSupport.zeros(Self.firstMomentName(name), like: tensor))
            arrays.append(OptimizerSupport.zeros(Self.secondMomentName(name), like: tensor))
        }
        return OptimizerState(arrays: arrays, scalars: ["step": 0])
    }

    public func update(parameters: ParameterSet, gradients: ParameterSet,
                       state: OptimizerState) -> (ParameterSet, OptimizerState) {
        OptimizerSupport.checkGradients(gradients, match: parameters, optimizer: name)
        let moments = OptimizerSupport.arraysByName(state)
        let step = (state.scalars["step"] ?? 0) + 1
        let biasCorrection1 = 1 - pow(beta1, step)
        let biasCorrection2Sqrt = (1 - pow(beta2, step)).squareRoot()
        let negativeStep = Float(-(learningRate / biasCorrection1))
        let bc2 = Float(biasCorrection2Sqrt)
        let w1 = Float(1 - beta1), b2 = Float(beta2), w2 = Float(1 - beta2)
        let eps = Float(epsilon), wd = Float(weightDecay)
        var newPairs: [(String, Tensor)] = []
        var newArrays: [NamedArray] = []
        newArrays.reserveCapacity(2 * parameters.count)
        for (i, name) in parameters.names.enumerated() {
            let p = parameters.tensors[i]
            var values = p.scalars
            let grad = gradients.tensors[i].scalars
            let n = values.count
            var m = moments[Self.firstMomentName(name)]?.values ?? [Float](repeating: 0, count: n)
            var v = moments[Self.secondMomentName(name)]?.values ?? [Float](repeating: 0, count: n)
            precondition(m.count == n && v.count == n, "Adam: moment arrays of '\(name)' have the wrong size")
            values.withUnsafeMutableBufferPointer { pv in
                grad.withUnsafeBufferPointer { gv in
                    m.withUnsafeMutableBufferPointer { mv in
                        v.withUnsafeMutableBufferPointer { vv in
                            for k in 0..<n {
                                var g = gv[k]
                                if wd != 0 { g = g + wd * pv[k] }
                                mv[k] = mv[k] + w1 * (g - mv[k])
                                vv[k] = vv[k] * b2
                                vv[k] = vv[k] + w2 * g * g
                                let denom = vv[k].squareRoot() / bc2 + eps
                                pv[k] = pv[k] + negativeStep * mv[k] / denom
                            }
                        }
                    }
                }
            }
            newPairs.append((name, Tensor(shape: p.shape, scalars: values)))
            newArrays.append(NamedArray(name: Self.firstMomentName(name), shape: p.shape, values: m))
            newArrays.append(NamedArray(name: Self.secondMomentName(name), shape: p.shape, values: v))
        }
        var scalars = state.scalars
        scalars["step"] = step
        return (ParameterSet(newPairs), OptimizerState(arrays: newArrays, scalars: scalars))
    }
}
