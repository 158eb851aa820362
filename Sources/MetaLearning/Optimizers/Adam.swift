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
                            Self.update(n, p: pv.baseAddress!, g: gv.baseAddress!, m: mv.baseAddress!,
                                        v: vv.baseAddress!, Coefficients(w1: w1, b2: b2, w2: w2, bc2: bc2, eps: eps,
                                                                         wd: wd, negativeStep: negativeStep))
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

    /// The Float32 constants of one step.
    struct Coefficients {
        var w1, b2, w2, bc2, eps, wd, negativeStep: Float
    }

    /// One Adam step on `n` elements in place, 8 lanes at a time and then
    /// one by one. The lanes do the same IEEE operations in the same order
    /// as the scalar tail (no fused multiply-add; square root and division
    /// are correctly rounded either way), so the bits do not depend on where
    /// an element falls: the vector loop only removes the per-element cost
    /// that the compiler left because it cannot prove the buffers disjoint.
    static func update(_ n: Int, p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>,
                       m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, _ c: Coefficients) {
        typealias V = SIMD8<Float>
        @inline(__always) func load(_ x: UnsafePointer<Float>) -> V { UnsafeRawPointer(x).loadUnaligned(as: V.self) }
        @inline(__always) func store(_ x: V, _ to: UnsafeMutablePointer<Float>) {
            UnsafeMutableRawPointer(to).storeBytes(of: x, as: V.self)
        }
        var k = 0
        while k + 8 <= n {
            var gk = load(g + k), pk = load(p + k)
            if c.wd != 0 { gk = gk + c.wd * pk }
            var mk = load(m + k)
            mk = mk + c.w1 * (gk - mk)
            var vk = load(v + k) * c.b2
            vk = vk + c.w2 * gk * gk
            let denom = vk.squareRoot() / c.bc2 + c.eps
            pk = pk + c.negativeStep * mk / denom
            store(mk, m + k)
            store(vk, v + k)
            store(pk, p + k)
            k += 8
        }
        while k < n {
            var gk = g[k]
            if c.wd != 0 { gk = gk + c.wd * p[k] }
            m[k] = m[k] + c.w1 * (gk - m[k])
            v[k] = v[k] * c.b2
            v[k] = v[k] + c.w2 * gk * gk
            let denom = v[k].squareRoot() / c.bc2 + c.eps
            p[k] = p[k] + c.negativeStep * m[k] / denom
            k += 1
        }
    }
}
