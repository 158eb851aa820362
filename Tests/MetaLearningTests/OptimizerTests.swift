import Autograd
import Foundation
import MetaLearning
import Testing

/// References computed by hand in float64 (numpy) from PyTorch's update rules.
@Suite struct OptimizerTests {
    let start = ParameterSet([("w", Tensor(shape: [2, 2], scalars: [0.5, -1.0, 2.0, 0.0]))])
    let grads: [ParameterSet] = [
        ParameterSet([("w", Tensor(shape: [2, 2], scalars: [0.1, -0.2, 0.3, 1e-3]))]),
        ParameterSet([("w", Tensor(shape: [2, 2], scalars: [-0.05, 0.4, 0.0, 2.0]))]),
    ]

    func run(_ optimizer: any MetaOptimizer) -> (ParameterSet, OptimizerState) {
        var p = start
        var s = optimizer.initialState(for: p)
        for g in grads { (p, s) = optimizer.update(parameters: p, gradients: g, state: s) }
        return (p, s)
    }

    func expectClose(_ a: [Float], _ b: [Double], tolerance: Double) {
        #expect(a.count == b.count)
        for (x, y) in zip(a, b) { #expect(abs(Double(x) - y) < tolerance, "\(x) vs \(y)") }
    }

    @Test func adamMatchesTwoStepReference() {
        let (p, s) = run(Adam(learningRate: 0.01))
        expectClose(p["w"]!.scalars, [0.4873366309403391, -0.9936610356546037, 1.9832994181079155, -0.0174446158700881],
                    tolerance: 2e-7)
        expectClose(s.array(named: "exp_avg.w")!.values, [0.004, 0.022, 0.027, 0.20009], tolerance: 1e-8)
        expectClose(s.array(named: "exp_avg_sq.w")!.values, [1.249e-05, 1.9996e-04, 8.991e-05, 4.000000999e-03],
                    tolerance: 1e-9)
        #expect(s.scalars["step"] == 2)
    }

    /// Adam runs 8 elements at a time, then one by one: on 21 elements (two
    /// vector blocks and a tail of 5), with and without weight decay, three
    /// steps give exactly the bits of the documented formula evaluated one
    /// element at a time in Float32.
    @Test(arguments: [0.0, 0.01])
    func adamVectorAndTailGiveTheFormulasBits(weightDecay: Double) {
        let n = 21
        var rng = SeededGenerator(seed: 11)
        let adam = Adam(learningRate: 0.003, beta1: 0.9, beta2: 0.99, epsilon: 1e-6, weightDecay: weightDecay)
        var p = ParameterSet([("w", Tensor.randomUniform(shape: [n], low: -1, high: 1, using: &rng))])
        var state = adam.initialState(for: p)
        var w = p["w"]!.scalars, m = [Float](repeating: 0, count: n), v = m
        for t in 1...3 {
            let g = Tensor.randomUniform(shape: [n], low: -2, high: 2, using: &rng)
            (p, state) = adam.update(parameters: p, gradients: ParameterSet([("w", g)]), state: state)
            let negativeStep = Float(-(0.003 / (1 - pow(0.9, Double(t)))))
            let bc2 = Float((1 - pow(0.99, Double(t))).squareRoot())
            let (w1, b2, w2, wd, eps) = (Float(1 - 0.9), Float(0.99), Float(1 - 0.99), Float(weightDecay), Float(1e-6))
            for k in 0..<n {
                var gk = g.scalars[k]
                if wd != 0 { gk = gk + wd * w[k] }
                m[k] = m[k] + w1 * (gk - m[k])
                v[k] = v[k] * b2
                v[k] = v[k] + w2 * gk * gk
                let denom = v[k].squareRoot() / bc2 + eps
                w[k] = w[k] + negativeStep * m[k] / denom
            }
            #expect(p["w"]!.scalars == w, "step \(t)")
            #expect(state.array(named: "exp_avg.w")!.values == m && state.array(named: "exp_avg_sq.w")!.values == v)
        }
    }

    @Test func adamFirstStepIsLearningRateTimesSign() {
        // With bias correction, Adam's first step is lr * g / (|g| + eps') ~ lr * sign(g).
        let (p, _) = { () -> (ParameterSet, OptimizerState) in
            let adam = Adam(learningRate: 0.01)
            return adam.update(parameters: start, gradients: grads[0], state: adam.initialState(for: start))
        }()
        expectClose(p["w"]!.scalars, [0.4900000009999999, -0.9900000005, 1.9900000003333334, -0.009999900000999989],
                    tolerance: 2e-7)
    }

    @Test func sgdMomentumAndNesterovMatchReference() {
        let (p, s) = run(SGD(learningRate: 0.1, momentum: 0.9))
        expectClose(p["w"]!.scalars, [0.486, -1.002, 1.943, -0.20019], tolerance: 1e-6)
        #expect(s.array(named: "momentum_buffer.w") != nil)
        let (q, _) = run(SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01))
        expectClose(q["w"]!.scalars, [0.480132905, -1.01726581, 1.90959552, -0.380270639], tolerance: 1e-6)
        let (plain, state) = run(SGD(learningRate: 0.1))
        expectClose(plain["w"]!.scalars, [0.495, -1.02, 1.97, -0.2001], tolerance: 1e-6)
        #expect(state.arrays.isEmpty)
    }

    @Test(arguments: [Adam(learningRate: 0.01) as any MetaOptimizer, SGD(learningRate: 0.1, momentum: 0.9)])
    func stateRoundTripsThroughCheckpointAndContinuesIdentically(optimizer: any MetaOptimizer) throws {
        var p = start
        var s = optimizer.initialState(for: p)
        (p, s) = optimizer.update(parameters: p, gradients: grads[0], state: s)
        let state = TrainingState(parameters: p, optimizerState: s, step: 1, seed: 42)
        let checkpoint = state.checkpoint(optimizerName: optimizer.name, configJSON: "{}", softwareVersion: "test")
        #expect(checkpoint.optimizerName == optimizer.name && !checkpoint.optimizerState.isEmpty)
        let restored = try TrainingState(checkpoint: checkpoint)
        #expect(restored.seed == 42 && restored.step == 1)
        #expect(restored.optimizerState == s)
        try optimizer.validate(state: restored.optimizerState, for: restored.parameters)
        let (a, _) = optimizer.update(parameters: p, gradients: grads[1], state: s)
        let (b, _) = optimizer.update(parameters: restored.parameters, gradients: grads[1],
                                      state: restored.optimizerState)
        #expect(a.flatValues == b.flatValues)
    }

    @Test func mismatchedStateIsRejected() {
        let adam = Adam()
        let other = ParameterSet([("w", Tensor(zeros: [3]))])
        #expect(throws: OptimizerStateError.shapeMismatch(optimizer: "adam", name: "exp_avg.w", expected: [3], found: [2, 2])) {
            try adam.validate(state: adam.initialState(for: start), for: other)
        }
        #expect(throws: OptimizerStateError.missingScalar(optimizer: "adam", name: "step")) {
            var s = adam.initialState(for: start)
            s.scalars = [:]
            try adam.validate(state: s, for: start)
        }
        #expect(throws: OptimizerStateError.missingArray(optimizer: "sgd", name: "momentum_buffer.w")) {
            try SGD(learningRate: 1, momentum: 0.5).validate(state: OptimizerState(), for: start)
        }
    }
}
