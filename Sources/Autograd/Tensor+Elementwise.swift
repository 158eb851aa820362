import RealModule

// MARK: - Broadcasting binary operators

extension Tensor {
    /// `a (op) b` with numpy broadcasting.
    static func binary(_ kind: BinaryKind, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = Shape.broadcast(a.shape, b.shape)
        let n = Shape.count(shape)
        let out = TensorStorage(uninitializedCount: n)
        let pa = UnsafePointer(a.storage.base), pb = UnsafePointer(b.storage.base), po = out.base
        if a.shape == b.shape {
            switch kind {
            case .add: Kernels.zip(n, pa, pb, po) { $0 + $1 }
            case .sub: Kernels.zip(n, pa, pb, po) { $0 - $1 }
            case .mul: Kernels.zip(n, pa, pb, po) { $0 * $1 }
            case .div: Kernels.zip(n, pa, pb, po) { $0 / $1 }
            }
        } else if b.count == 1 {
            let s = pb[0]
            switch kind {
            case .add: Kernels.map(n, pa, po) { $0 + s }
            case .sub: Kernels.map(n, pa, po) { $0 - s }
            case .mul: Kernels.map(n, pa, po) { $0 * s }
            case .div: Kernels.map(n, pa, po) { $0 / s }
            }
        } else if a.count == 1 {
            let s = pa[0]
            switch kind {
            case .add: Kernels.map(n, pb, po) { s + $0 }
            case .sub: Kernels.map(n, pb, po) { s - $0 }
            case .mul: Kernels.map(n, pb, po) { s * $0 }
            case .div: Kernels.map(n, pb, po) { s / $0 }
            }
        } else {
            Kernels.binary(kind, shape: shape, pa, Shape.broadcastStrides(a.shape, to: shape),
                           pb, Shape.broadcastStrides(b.shape, to: shape), po)
        }
        return result("binary", out, shape: shape, inputs: [a, b], record: shouldRecord(a, b), backward: { ctx in
            let g = ctx.grad, a = ctx.inputs[0], b = ctx.inputs[1]
            var ga: Tensor?, gb: Tensor?
            switch kind {
            case .add:
                if ctx.needs[0] { ga = g.summed(toShape: a.shape) }
                if ctx.needs[1] { gb = g.summed(toShape: b.shape) }
            case .sub:
                if ctx.needs[0] { ga = g.summed(toShape: a.shape) }
                if ctx.needs[1] { gb = (-g).summed(toShape: b.shape) }
            case .mul:
                if ctx.needs[0] { ga = (g * b).summed(toShape: a.shape) }
                if ctx.needs[1] { gb = (g * a).summed(toShape: b.shape) }
            case .div:
                if ctx.needs[0] { ga = (g / b).summed(toShape: a.shape) }
                if ctx.needs[1] { gb = (-(g * ctx.output) / b).summed(toShape: b.shape) }
            }
            return [ga, gb]
        })
    }

    /// Elementwise sum with broadcasting.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { binary(.add, lhs, rhs) }
    /// Elementwise difference with broadcasting.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { binary(.sub, lhs, rhs) }
    /// Elementwise product with broadcasting.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { binary(.mul, lhs, rhs) }
    /// Elementwise quotient with broadcasting.
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { binary(.div, lhs, rhs) }

    /// Adds a scalar to every element.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor { binary(.add, lhs, Tensor(rhs)) }
    /// Subtracts a scalar from every element.
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { binary(.sub, lhs, Tensor(rhs)) }
    /// Multiplies every element by a scalar.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs.scaled(by: rhs) }
    /// Divides every element by a scalar.
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs.scaled(by: 1 / rhs) }
    /// Adds every element to a scalar.
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { binary(.add, Tensor(lhs), rhs) }
    /// Subtracts every element from a scalar.
    public static func - (lhs: Float, rhs: Tensor) -> Tensor { binary(.sub, Tensor(lhs), rhs) }
    /// Multiplies a scalar by every element.
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs.scaled(by: lhs) }
    /// Divides a scalar by every element.
    public static func / (lhs: Float, rhs: Tensor) -> Tensor { binary(.div, Tensor(lhs), rhs) }

    /// In-place forms (value semantics: they rebind the variable to a new tensor).
    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs = lhs + rhs }
    /// In-place subtraction (rebinds `lhs`).
    public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs - rhs }
    /// In-place multiplication (rebinds `lhs`).
    public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs * rhs }
    /// In-place division (rebinds `lhs`).
    public static func /= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs / rhs }

    /// Elementwise negation.
    public static prefix func - (x: Tensor) -> Tensor { x.scaled(by: -1) }

    /// Multiplies every element by the constant `factor`.
    public func scaled(by factor: Float) -> Tensor {
        let out = TensorStorage(uninitializedCount: count)
        Kernels.map(count, storage.base, out.base) { $0 * factor }
        return Tensor.result("scale", out, shape: shape, inputs: [self], record: Tensor.shouldRecord(self),
                             backward: { ctx in [ctx.grad.scaled(by: factor)] })
    }
}

// MARK: - Unary functions

extension Tensor {
    @inline(__always)
    func unary(_ name: StaticString, _ f: (Float) -> Float, backward: @autoclosure () -> BackwardFunction) -> Tensor {
        let out = TensorStorage(uninitializedCount: count)
        Kernels.map(count, storage.base, out.base, f)
        return Tensor.result(name, out, shape: shape, inputs: [self], record: Tensor.shouldRecord(self), backward: backward())
    }

    /// Elementwise e^x.
    public func exp() -> Tensor {
        unary("exp", { Float.exp($0) }, backward: { ctx in [ctx.grad * ctx.output] })
    }

    /// Elementwise natural logarithm.
    public func log() -> Tensor {
        unary("log", { Float.log($0) }, backward: { ctx in [ctx.grad / ctx.inputs[0]] })
    }

    /// Elementwise square root.
    public func sqrt() -> Tensor {
        unary("sqrt", { $0.squareRoot() }, backward: { ctx in [(ctx.grad / ctx.output).scaled(by: 0.5)] })
    }

    /// Elementwise x^p for a constant exponent (negative bases allowed for integral `p`).
    public func pow(_ p: Float) -> Tensor {
        if p == 2 { return squared() }
        if p == 1 { return self }
        let integral: Bool = p == p.rounded() && Swift.abs(p) < 16_777_216
        let n: Int = integral ? Int(p) : 0
        return unary("pow", { integral ? Float.pow($0, n) : Float.pow($0, p) }, backward: { ctx in
            [ctx.grad * ctx.inputs[0].pow(p - 1).scaled(by: p)]
        })
    }

    /// Elementwise x².
    public func squared() -> Tensor {
        unary("squared", { $0 * $0 }, backward: { ctx in [(ctx.grad * ctx.inputs[0]).scaled(by: 2)] })
    }

    /// Elementwise max(x, 0).
    public func relu() -> Tensor {
        unary("relu", { $0 > 0 ? $0 : 0 }, backward: { ctx in
            [Tensor.maskedGradient(ctx.grad, sign: ctx.inputs[0], negativeSlope: 0)]
        })
    }

    /// Elementwise x for x > 0, slope·x otherwise.
    public func leakyRelu(slope: Float = 0.01) -> Tensor {
        unary("leakyRelu", { $0 > 0 ? $0 : slope * $0 }, backward: { ctx in
            [Tensor.maskedGradient(ctx.grad, sign: ctx.inputs[0], negativeSlope: slope)]
        })
    }

    /// Elementwise 1 / (1 + e^-x).
    public func sigmoid() -> Tensor {
        unary("sigmoid", { 1 / (1 + Float.exp(-$0)) }, backward: { ctx in
            let y = ctx.output
            return [ctx.grad * y * (1 - y)]
        })
    }

    /// Elementwise hyperbolic tangent.
    public func tanh() -> Tensor {
        unary("tanh", { Float.tanh($0) }, backward: { ctx in
            let y = ctx.output
            return [ctx.grad * (1 - y.squared())]
        })
    }

    /// Elementwise absolute value (gradient sign(x), 0 at 0).
    public func abs() -> Tensor {
        unary("abs", { Swift.abs($0) }, backward: { ctx in
            [Tensor.maskedGradient(ctx.grad, sign: ctx.inputs[0], negativeSlope: -1)]
        })
    }

    /// `g` where `sign > 0`, `negativeSlope · g` elsewhere: the backward of (leaky) ReLU.
    /// Linear in `g`; piecewise constant (zero derivative) in `sign`.
    static func maskedGradient(_ g: Tensor, sign: Tensor, negativeSlope: Float) -> Tensor {
        precondition(g.shape == sign.shape)
        let out = TensorStorage(uninitializedCount: g.count)
        Kernels.zip(g.count, g.storage.base, sign.storage.base, out.base) { gv, s in s > 0 ? gv : negativeSlope * gv }
        return result("maskedGradient", out, shape: g.shape, inputs: [g, sign], record: shouldRecord(g), backward: { ctx in
            [Tensor.maskedGradient(ctx.grad, sign: ctx.inputs[1], negativeSlope: negativeSlope), nil]
        })
    }
}
