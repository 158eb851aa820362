import Autograd
import Testing

/// End-to-end second-order check: the MAML meta-gradient of a tiny conv net
/// (conv-BN-ReLU twice, spatial mean, linear head) after one and two inner SGD
/// steps, against central finite differences of the post-adaptation query loss.
@Suite struct MAMLMetaGradientTests {
    struct Task {
        let supportX: Tensor, supportY: [Int32], queryX: Tensor, queryY: [Int32]
    }

    static func initialParameters() -> ParameterSet {
        var rng = SeededGenerator(seed: 11)
        return ParameterSet([
            ("conv1.w", Tensor.randomNormal(shape: [3, 1, 3, 3], std: 0.5, using: &rng)),
            ("conv1.b", Tensor.randomNormal(shape: [3], std: 0.1, using: &rng)),
            ("bn1.scale", Tensor.randomUniform(shape: [3], low: 0.8, high: 1.2, using: &rng)),
            ("bn1.offset", Tensor.randomNormal(shape: [3], std: 0.1, using: &rng)),
            ("conv2.w", Tensor.randomNormal(shape: [3, 3, 3, 3], std: 0.3, using: &rng)),
            ("bn2.scale", Tensor.randomUniform(shape: [3], low: 0.8, high: 1.2, using: &rng)),
            ("bn2.offset", Tensor.randomNormal(shape: [3], std: 0.1, using: &rng)),
            ("fc.w", Tensor.randomNormal(shape: [3, 2], std: 0.5, using: &rng)),
            ("fc.b", Tensor(zeros: [2])),
        ])
    }

    static func task() -> Task {
        var rng = SeededGenerator(seed: 12)
        return Task(supportX: Tensor.randomNormal(shape: [4, 1, 6, 6], using: &rng), supportY: [0, 1, 0, 1],
                    queryX: Tensor.randomNormal(shape: [4, 1, 6, 6], using: &rng), queryY: [1, 0, 0, 1])
    }

    /// The hidden activation: ReLU as in MAML's Conv4, or tanh for a smooth variant.
    enum Activation: String, Sendable, CaseIterable, CustomStringConvertible {
        case relu, tanh
        var description: String { rawValue }
        func callAsFunction(_ x: Tensor) -> Tensor { self == .relu ? x.relu() : x.tanh() }
    }

    static func logits(_ p: ParameterSet, _ x: Tensor, _ act: Activation) -> Tensor {
        var h = conv2d(x, weight: p["conv1.w"]!, bias: p["conv1.b"]!, stride: 2, padding: 1)
        h = act(batchNorm(h, scale: p["bn1.scale"]!, offset: p["bn1.offset"]!))
        h = conv2d(h, weight: p["conv2.w"]!, bias: nil, stride: 2, padding: 1)
        h = act(batchNorm(h, scale: p["bn2.scale"]!, offset: p["bn2.offset"]!))
        return h.mean(axes: [2, 3]).matmul(p["fc.w"]!) + p["fc.b"]!
    }

    /// Query loss after `steps` inner SGD steps from `theta`; differentiable to second order when `createGraph`.
    static func adaptedQueryLoss(_ theta: ParameterSet, _ t: Task, _ act: Activation, steps: Int, innerRate: Float,
                                 createGraph: Bool) -> Tensor {
        var p = theta
        for _ in 0..<steps {
            let g = gradients(of: crossEntropy(logits: logits(p, t.supportX, act), labels: t.supportY), with: p,
                              createGraph: createGraph)
            p = p.combined(with: g) { _, w, gw in w - innerRate * gw }
        }
        return crossEntropy(logits: logits(p, t.queryX, act), labels: t.queryY)
    }

    /// The finite-difference value function.
    static func value(_ theta: ParameterSet, _ t: Task, _ act: Activation, steps: Int, innerRate: Float) -> Double {
        Double(adaptedQueryLoss(theta.detached().requiringGradient(), t, act, steps: steps, innerRate: innerRate,
                                createGraph: false).scalar)
    }

    static func perturbed(_ theta: ParameterSet, _ k: Int, _ j: Int, _ delta: Float) -> ParameterSet {
        var s = theta.tensors[k].scalars
        s[j] += delta
        var copy = theta
        copy[theta.names[k]] = Tensor(shape: theta.tensors[k].shape, scalars: s)
        return copy
    }

    /// Every coordinate of the meta-gradient against central differences (step 2e-3) of the
    /// post-adaptation query loss. With ReLU the adapted parameters depend on activation masks,
    /// so the loss can jump where a support-set unit changes sign; such coordinates (whose
    /// one-sided differences disagree by more than a quarter of the gradient scale) are
    /// skipped, at most 10% of them, and none for the smooth tanh variant.
    @Test(arguments: [1, 2], Activation.allCases)
    func secondOrderMetaGradientMatchesFiniteDifferences(steps: Int, activation act: Activation) {
        let theta = Self.initialParameters().requiringGradient()
        let t = Self.task()
        let rate: Float = 0.4
        let metaLoss = Self.adaptedQueryLoss(theta, t, act, steps: steps, innerRate: rate, createGraph: true)
        let meta = gradients(of: metaLoss, with: theta)
        // First-order MAML: gradient at the adapted parameters, ignoring the inner loop's Jacobian.
        var adapted = theta
        for _ in 0..<steps {
            let g = gradients(of: crossEntropy(logits: Self.logits(adapted, t.supportX, act), labels: t.supportY), with: adapted)
            adapted = adapted.combined(with: g) { _, w, gw in (w - rate * gw).detached().requiringGradient() }
        }
        let firstOrder = gradients(of: crossEntropy(logits: Self.logits(adapted, t.queryX, act), labels: t.queryY), with: adapted)

        let scale = meta.tensors.flatMap(\.scalars).map { Double(Swift.abs($0)) }.max() ?? 0
        let eps: Float = 2e-3
        let center = Self.value(theta, t, act, steps: steps, innerRate: rate)
        var worstSecond = 0.0, worstFirst = 0.0, skipped = 0, checked = 0
        for k in 0..<theta.count {
            for j in 0..<theta.tensors[k].count {
                let plus = Self.value(Self.perturbed(theta, k, j, eps), t, act, steps: steps, innerRate: rate)
                let minus = Self.value(Self.perturbed(theta, k, j, -eps), t, act, steps: steps, innerRate: rate)
                if Swift.abs((plus - center) - (center - minus)) / Double(eps) > 0.25 * scale {
                    skipped += 1
                    continue
                }
                checked += 1
                let numeric = (plus - minus) / (2 * Double(eps))
                worstSecond = max(worstSecond, Swift.abs(Double(meta.tensors[k].scalars[j]) - numeric))
                worstFirst = max(worstFirst, Swift.abs(Double(firstOrder.tensors[k].scalars[j]) - numeric))
            }
        }
        #expect(scale > 1e-2)
        #expect(act == .relu ? skipped * 10 <= checked : skipped == 0, "skipped \(skipped) non-smooth coordinates")
        // Stated tolerance: 2% of the largest meta-gradient entry (Float32 forward).
        #expect(worstSecond <= 0.02 * scale, "second-order error \(worstSecond), scale \(scale)")
        // The second-order terms matter here: first-order MAML is measurably further off.
        #expect(worstFirst > 5 * worstSecond, "first-order error \(worstFirst) vs second-order \(worstSecond)")
    }
}
