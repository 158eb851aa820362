// Reductions: sum, mean, max over axes; argmax.

extension Tensor {
    /// The sum of all elements (a scalar).
    public func sum() -> Tensor { summed(toShape: []) }

    /// The mean of all elements (a scalar).
    public func mean() -> Tensor { sum().scaled(by: 1 / Float(Swift.max(count, 1))) }

    /// The shape with `axes` set to 1 (kept) or removed.
    func reducedShape(_ axes: [Int], keeping: Bool) -> [Int] {
        keeping ? shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
                : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    }

    /// Sums over `axes`; reduced dimensions are kept as size 1 when `keepingDimensions`.
    public func sum(axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let ax = Shape.axes(axes, rank: rank, "Tensor.sum(axes:)")
        let s = summed(toShape: reducedShape(ax, keeping: true))
        return keepingDimensions ? s : s.reshaped(reducedShape(ax, keeping: false))
    }

    /// Averages over `axes`.
    public func mean(axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let ax = Shape.axes(axes, rank: rank, "Tensor.mean(axes:)")
        let n = ax.reduce(1) { $0 * shape[$1] }
        return sum(axes: ax, keepingDimensions: keepingDimensions).scaled(by: 1 / Float(Swift.max(n, 1)))
    }

    /// Flat indices of the maxima over `axes` (first occurrence), one per element of the kept shape.
    func argmaxFlatIndices(_ ax: [Int]) -> [Int32] {
        let kept = reducedShape(ax, keeping: true)
        let keptStrides = Shape.strides(kept)
        var outStrides = [Int](repeating: 0, count: rank)
        for i in 0..<rank where !ax.contains(i) { outStrides[i] = keptStrides[i] }
        let m = Shape.count(kept)
        var best = [Float](repeating: -.infinity, count: m)
        var index = [Int32](repeating: -1, count: m)
        let inStrides = Shape.strides(shape)
        let c = Shape.coalesce(shape, [inStrides, outStrides])
        let inner = c.shape[c.shape.count - 1]
        let si = c.strides[0][c.strides[0].count - 1], so = c.strides[1][c.strides[1].count - 1]
        let src = storage.base
        best.withUnsafeMutableBufferPointer { bp in
            index.withUnsafeMutableBufferPointer { ip in
                Kernels.forEachRow(c.shape, c.strides[0], c.strides[1]) { _, os, od in
                    for i in 0..<inner {
                        let s = os &+ i &* si, d = od &+ i &* so
                        let v = src[s]
                        if v > bp[d] || ip[d] < 0 { bp[d] = v; ip[d] = Int32(truncatingIfNeeded: s) }
                    }
                }
            }
        }
        return index
    }

    /// Maxima over `axes`. The gradient goes to the first maximal element of each group.
    public func max(axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let ax = Shape.axes(axes, rank: rank, "Tensor.max(axes:)")
        precondition(ax.allSatisfy { shape[$0] > 0 }, "Tensor.max(axes:): empty axis in shape \(shape)")
        let idx = argmaxFlatIndices(ax)
        return gatheredFlat(idx, shape: reducedShape(ax, keeping: keepingDimensions))
    }

    /// The maximum of all elements (a scalar).
    public func max() -> Tensor { max(axes: Array(0..<rank)) }

    /// Indices of the maxima along `axis` (first occurrence), in row-major order of the remaining dimensions.
    public func argmax(axis: Int = -1) -> [Int] {
        let ax = Shape.axis(axis, rank: rank, "Tensor.argmax")
        let stride = Shape.strides(shape)[ax]
        let size = shape[ax]
        return argmaxFlatIndices([ax]).map { (Int($0) / stride) % size }
    }
}

/// The fraction of rows of `logits` (`[N, classes]`) whose largest entry is at the label.
/// Not differentiable; records nothing.
public func accuracy(logits: Tensor, labels: [Int32]) -> Float {
    precondition(logits.rank == 2 && logits.shape[0] == labels.count,
                 "accuracy: logits \(logits.shape) do not match \(labels.count) labels")
    if labels.isEmpty { return 0 }
    let predicted = logits.argmax(axis: 1)
    var correct = 0
    for (p, l) in zip(predicted, labels) where p == Int(l) { correct += 1 }
    return Float(correct) / Float(labels.count)
}
