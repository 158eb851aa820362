import Autograd

/// Finite-difference helpers shared by the derivative tests.
///
/// Every check differentiates the scalar `L(xs) = Σ W ⊙ f(xs)` with a fixed random
/// `W`, so every output element contributes. Losses for finite differences are
/// accumulated in Double from the Float32 outputs; the comparison is
/// `|analytic − numeric| <= absTol + relTol · max(|analytic|, |numeric|)` per element.
enum GradientCheck {
    /// The largest violation ratio (error / allowed); <= 1 passes.
    struct Report: CustomStringConvertible {
        var worstRatio: Double = 0
        var worst = ""
        var checked = 0
        var description: String { "checked \(checked), worst ratio \(worstRatio): \(worst)" }

        mutating func compare(_ analytic: Double, _ numeric: Double, absTol: Double, relTol: Double, _ what: @autoclosure () -> String) {
            checked += 1
            let allowed = absTol + relTol * Swift.max(Swift.abs(analytic), Swift.abs(numeric))
            let ratio = Swift.abs(analytic - numeric) / allowed
            if ratio > worstRatio || ratio.isNaN {
                worstRatio = ratio.isNaN ? .infinity : ratio
                worst = "\(what()): analytic \(analytic), numeric \(numeric)"
            }
        }
    }

    static func weights(like t: Tensor, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.randomUniform(shape: t.shape, low: -1, high: 1, using: &rng)
    }

    /// Σ W ⊙ f(xs) in Double, without recording.
    static func loss(_ f: ([Tensor]) -> Tensor, _ xs: [Tensor], weights w: Tensor) -> Double {
        withoutGradient {
            let y = f(xs)
            return zip(y.scalars, w.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
    }

    static func perturbed(_ xs: [Tensor], input k: Int, element j: Int, by delta: Float) -> [Tensor] {
        var copy = xs
        var s = xs[k].scalars
        s[j] += delta
        copy[k] = Tensor(shape: xs[k].shape, scalars: s)
        return copy
    }

    /// First derivatives of `f` at `xs` against central differences, every element of every input.
    static func firstOrder(_ xs: [Tensor], eps: Float = 1e-2, absTol: Double = 2e-3, relTol: Double = 1e-2,
                           _ f: ([Tensor]) -> Tensor) -> Report {
        let leaves = xs.map { $0.requiringGradient() }
        let y = f(leaves)
        let w = weights(like: y, seed: 1234)
        let analytic = gradients(of: (y * w).sum(), with: leaves)
        var report = Report()
        for k in 0..<xs.count {
            let a = analytic[k].scalars
            for j in 0..<xs[k].count {
                let plus = loss(f, perturbed(xs, input: k, element: j, by: eps), weights: w)
                let minus = loss(f, perturbed(xs, input: k, element: j, by: -eps), weights: w)
                let numeric = (plus - minus) / (2 * Double(eps))
                report.compare(Double(a[j]), numeric, absTol: absTol, relTol: relTol, "input \(k) element \(j)")
            }
        }
        return report
    }

    /// Gradient of `Σ W ⊙ f(xs)` with respect to all inputs (fresh leaves), no graph.
    static func gradient(_ f: ([Tensor]) -> Tensor, at xs: [Tensor], weights w: Tensor) -> [Tensor] {
        let leaves = xs.map { $0.detached().requiringGradient() }
        return gradients(of: (f(leaves) * w).sum(), with: leaves)
    }

    /// Hessian-vector products of `L(xs) = Σ W ⊙ tanh(f(xs))` (double backward with `createGraph`)
    /// against central differences of first gradients along a random direction `v`.
    static func hessianVectorProduct(_ xs: [Tensor], eps: Float = 1e-2, absTol: Double = 2e-3, relTol: Double = 2e-2,
                                     _ f: @escaping ([Tensor]) -> Tensor) -> Report {
        let g: ([Tensor]) -> Tensor = { f($0).tanh() }
        let leaves = xs.map { $0.requiringGradient() }
        let y = g(leaves)
        let w = weights(like: y, seed: 4321)
        var rng = SeededGenerator(seed: 99)
        let v = xs.map { Tensor.randomUniform(shape: $0.shape, low: -1, high: 1, using: &rng) }
        let first = gradients(of: (y * w).sum(), with: leaves, createGraph: true)
        var dot = Tensor(0)
        for (gk, vk) in zip(first, v) where gk.requiresGradient { dot = dot + (gk * vk).sum() }
        let hv = gradients(of: dot, with: leaves)
        // The first-order gradient with and without createGraph must agree.
        let plain = gradients(of: (g(leaves) * w).sum(), with: leaves)
        var report = Report()
        for k in 0..<xs.count {
            for (a, b) in zip(first[k].scalars, plain[k].scalars) {
                report.compare(Double(a), Double(b), absTol: 1e-5, relTol: 1e-4, "createGraph gradient of input \(k)")
            }
        }
        let plus = gradient(g, at: zip(xs, v).map { $0 + $1 * eps }, weights: w)
        let minus = gradient(g, at: zip(xs, v).map { $0 - $1 * eps }, weights: w)
        for k in 0..<xs.count {
            let a = hv[k].scalars, p = plus[k].scalars, m = minus[k].scalars
            for j in 0..<a.count {
                let numeric = (Double(p[j]) - Double(m[j])) / (2 * Double(eps))
                report.compare(Double(a[j]), numeric, absTol: absTol, relTol: relTol, "Hv of input \(k) element \(j)")
            }
        }
        return report
    }
}
