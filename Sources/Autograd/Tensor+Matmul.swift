import CBLAS

/// Thin wrapper over OpenBLAS `cblas_sgemm` (row-major).
enum BLAS {
    /// `C = alpha · op(A) · op(B) + beta · C` with `op(A)` of size `m×k`, `op(B)` `k×n`, all row-major.
    @inline(__always)
    static func sgemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                      _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                      beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if beta == 0 { c.update(repeating: 0, count: m * ldc) }
            return
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}

extension Tensor {
    /// Matrix product: `[M, K] x [K, N] -> [M, N]`, or batched `[B, M, K] x [B, K, N] -> [B, M, N]`.
    public func matmul(_ other: Tensor) -> Tensor {
        Tensor.matmul(self, other, transposeA: false, transposeB: false)
    }

    /// `op(a) · op(b)` where `op` transposes the last two dimensions when asked; 2-D or batched 3-D.
    static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) -> Tensor {
        precondition((a.rank == 2 && b.rank == 2) || (a.rank == 3 && b.rank == 3 && a.shape[0] == b.shape[0]),
                     "Tensor.matmul: expects 2-D x 2-D or batched 3-D x 3-D with equal batch, got \(a.shape) x \(b.shape)")
        let batched = a.rank == 3
        let batch = batched ? a.shape[0] : 1
        let ar = a.shape[a.rank - 2], ac = a.shape[a.rank - 1]
        let br = b.shape[b.rank - 2], bc = b.shape[b.rank - 1]
        let m = transposeA ? ac : ar, k = transposeA ? ar : ac
        let kb = transposeB ? bc : br, n = transposeB ? br : bc
        precondition(k == kb, "Tensor.matmul: inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") x \(b.shape)\(transposeB ? "ᵀ" : "")")
        let outShape = batched ? [batch, m, n] : [m, n]
        let out = TensorStorage(uninitializedCount: batch * m * n)
        for i in 0..<batch {
            BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                       a.storage.base + i * ar * ac, lda: ac, b.storage.base + i * br * bc, ldb: bc,
                       out.base + i * m * n, ldc: n)
        }
        return result("matmul", out, shape: outShape, inputs: [a, b], record: shouldRecord(a, b), backward: { ctx in
            let g = ctx.grad, a = ctx.inputs[0], b = ctx.inputs[1]
            var ga: Tensor?, gb: Tensor?
            switch (transposeA, transposeB) {
            case (false, false):
                if ctx.needs[0] { ga = matmul(g, b, transposeA: false, transposeB: true) }
                if ctx.needs[1] { gb = matmul(a, g, transposeA: true, transposeB: false) }
            case (false, true):
                if ctx.needs[0] { ga = matmul(g, b, transposeA: false, transposeB: false) }
                if ctx.needs[1] { gb = matmul(g, a, transposeA: true, transposeB: false) }
            case (true, false):
                if ctx.needs[0] { ga = matmul(b, g, transposeA: false, transposeB: true) }
                if ctx.needs[1] { gb = matmul(a, g, transposeA: false, transposeB: false) }
            case (true, true):
                if ctx.needs[0] { ga = matmul(b, g, transposeA: true, transposeB: true) }
                if ctx.needs[1] { gb = matmul(g, a, transposeA: true, transposeB: true) }
            }
            return [ga, gb]
        })
    }
}
