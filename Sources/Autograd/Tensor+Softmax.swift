import RealModule

extension Tensor {
    /// (outer, size, inner) decomposition around `axis`.
    func split(around ax: Int) -> (outer: Int, size: Int, inner: Int) {
        (Shape.count(Array(shape[..<ax])), shape[ax], Shape.count(Array(shape[(ax + 1)...])))
    }

    /// Softmax or log-softmax along `ax` (numerically stable: the maximum is subtracted first).
    func softmaxKernel(_ ax: Int, log: Bool) -> TensorStorage {
        let (outer, size, inner) = split(around: ax)
        let out = TensorStorage(uninitializedCount: count)
        let x = storage.base, y = out.base
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o &* size &* inner &+ i
                var m = -Float.infinity
                for k in 0..<size { m = Swift.max(m, x[base &+ k &* inner]) }
                var total: Float = 0
                for k in 0..<size {
                    let e = Float.exp(x[base &+ k &* inner] - m)
                    total += e
                    if !log { y[base &+ k &* inner] = e }
                }
                if log {
                    let lse = m + Float.log(total)
                    for k in 0..<size { y[base &+ k &* inner] = x[base &+ k &* inner] - lse }
                } else {
                    let r = 1 / total
                    for k in 0..<size { y[base &+ k &* inner] *= r }
                }
            }
        }
        return out
    }

    /// e^x / Σ e^x along `axis`.
    public func softmax(axis: Int = -1) -> Tensor {
        let ax = Shape.axis(axis, rank: rank, "Tensor.softmax")
        return Tensor.result("softmax", softmaxKernel(ax, log: false), shape: shape, inputs: [self],
                             record: Tensor.shouldRecord(self), backward: { ctx in
            let y = ctx.output, g = ctx.grad
            return [y * (g - (g * y).sum(axes: [ax], keepingDimensions: true))]
        })
    }

    /// x − log Σ e^x along `axis`.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let ax = Shape.axis(axis, rank: rank, "Tensor.logSoftmax")
        return Tensor.result("logSoftmax", softmaxKernel(ax, log: true), shape: shape, inputs: [self],
                             record: Tensor.shouldRecord(self), backward: { ctx in
            let g = ctx.grad
            return [g - ctx.output.exp() * g.sum(axes: [ax], keepingDimensions: true)]
        })
    }
}
