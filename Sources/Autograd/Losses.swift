import RealModule

/// Mean cross-entropy of `logits` (`[N, classes]`) against integer `labels` (N of them, each in `0..<classes`).
/// A scalar; fused forward (log-sum-exp), backward `(softmax − onehot) / N`.
public func crossEntropy(logits: Tensor, labels: [Int32]) -> Tensor {
    precondition(logits.rank == 2 && logits.shape[0] == labels.count,
                 "crossEntropy: logits \(logits.shape) do not match \(labels.count) labels")
    let n = logits.shape[0], k = logits.shape[1]
    for l in labels {
        precondition(l >= 0 && Int(l) < k, "crossEntropy: label \(l) out of range 0..<\(k)")
    }
    let x = logits.storage.base
    var total: Float = 0
    for i in 0..<n {
        let row = x + i &* k
        var m = -Float.infinity
        for j in 0..<k { m = Swift.max(m, row[j]) }
        var s: Float = 0
        for j in 0..<k { s += Float.exp(row[j] - m) }
        total += m + Float.log(s) - row[Int(labels[i])]
    }
    let out = TensorStorage(count: 1, repeating: n > 0 ? total / Float(n) : 0)
    return Tensor.result("crossEntropy", out, shape: [], inputs: [logits], record: Tensor.shouldRecord(logits),
                         backward: { ctx in
        let logits = ctx.inputs[0]
        let delta = logits.softmax(axis: 1) - Tensor.oneHot(labels, classes: k)
        return [delta * ctx.grad.scaled(by: 1 / Float(Swift.max(n, 1)))]
    })
}

/// Mean of the squared differences (a scalar); shapes must be equal.
public func meanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    precondition(prediction.shape == target.shape,
                 "meanSquaredError: prediction \(prediction.shape) and target \(target.shape) differ")
    return (prediction - target).squared().mean()
}

/// Squared Euclidean distances between the rows of `a` (`[N, D]`) and `b` (`[M, D]`): `[N, M]`.
/// Computed as ‖a‖² + ‖b‖² − 2 a·bᵀ (one GEMM); tiny negative values from rounding are possible.
public func pairwiseSquaredDistance(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[1],
                 "pairwiseSquaredDistance: expects [N, D] and [M, D], got \(a.shape) and \(b.shape)")
    let aa = a.squared().sum(axes: [1], keepingDimensions: true)
    let bb = b.squared().sum(axes: [1]).reshaped([1, b.shape[0]])
    let ab = Tensor.matmul(a, b, transposeA: false, transposeB: true)
    return aa + bb - ab.scaled(by: 2)
}

/// Cosine similarities between the rows of `a` (`[N, D]`) and `b` (`[M, D]`): `[N, M]`.
/// Rows are normalised by √(‖x‖² + 1e-8), so zero rows give 0 rather than NaN.
public func cosineSimilarity(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[1],
                 "cosineSimilarity: expects [N, D] and [M, D], got \(a.shape) and \(b.shape)")
    let an = a * (a.squared().sum(axes: [1], keepingDimensions: true) + 1e-8).pow(-0.5)
    let bn = b * (b.squared().sum(axes: [1], keepingDimensions: true) + 1e-8).pow(-0.5)
    return Tensor.matmul(an, bn, transposeA: false, transposeB: true)
}
