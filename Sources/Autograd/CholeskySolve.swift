/// Solves `A · X = B` for a symmetric positive-definite `A` (`[n, n]`) and `B`
/// (`[n, m]`), returning `X` (`[n, m]`): the closed-form heads of R2D2-style
/// learners (ridge regression, `X = (ZᵀZ + λI)⁻¹ ZᵀY`).
///
/// The factorisation (Cholesky, `A = L·Lᵀ`) and the triangular solves run in
/// Double precision; the matrices are small (n is the support-set size or the
/// feature count). Mathematically the op solves with `(A + Aᵀ)/2`, so the
/// gradient with respect to `A` is the symmetric `−(Ĝ·Xᵀ + X·Ĝᵀ)/2` with
/// `Ĝ = A⁻¹·G`; both gradients are built from differentiable ops, so the op can
/// be differentiated again. `A` must be positive definite (checked).
public func choleskySolve(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.rank == 2 && a.shape[0] == a.shape[1],
                 "choleskySolve: A must be square [n, n], got shape \(a.shape)")
    precondition(b.rank == 2 && b.shape[0] == a.shape[0],
                 "choleskySolve: B must be [\(a.shape[0]), m], got shape \(b.shape)")
    let n = a.shape[0], m = b.shape[1]
    // Lower-triangular factor of the symmetric part, row-major, in Double.
    var l = [Double](repeating: 0, count: n * n)
    let pa = a.storage.base, pb = b.storage.base
    for i in 0..<n {
        for j in 0...i {
            var s = 0.5 * (Double(pa[i * n + j]) + Double(pa[j * n + i]))
            for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
            if i == j {
                precondition(s > 0, "choleskySolve: A is not positive definite (pivot \(i) is \(s))")
                l[i * n + i] = s.squareRoot()
            } else {
                l[i * n + j] = s / l[j * n + j]
            }
        }
    }
    let out = TensorStorage(uninitializedCount: n * m)
    var column = [Double](repeating: 0, count: n)
    for c in 0..<m {
        // L·y = b, then Lᵀ·x = y.
        for i in 0..<n {
            var s = Double(pb[i * m + c])
            for k in 0..<i { s -= l[i * n + k] * column[k] }
            column[i] = s / l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = column[i]
            for k in (i + 1)..<n { s -= l[k * n + i] * column[k] }
            column[i] = s / l[i * n + i]
        }
        for i in 0..<n { out.base[i * m + c] = Float(column[i]) }
    }
    return Tensor.result("choleskySolve", out, shape: [n, m], inputs: [a, b], record: Tensor.shouldRecord(a, b),
                         backward: { ctx in
        let a = ctx.inputs[0], x = ctx.output
        let gb = choleskySolve(a, ctx.grad)
        var ga: Tensor?
        if ctx.needs[0] {
            let outer = Tensor.matmul(gb, x, transposeA: false, transposeB: true)
            ga = -(outer + outer.transposed()).scaled(by: 0.5)
        }
        return [ga, ctx.needs[1] ? gb : nil]
    })
}
