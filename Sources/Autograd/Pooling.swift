/// 2-D max pooling over NCHW input with a square `kernel` and `stride`, no padding.
/// Output: `[N, C, (H − kernel)/stride + 1, (W − kernel)/stride + 1]`.
///
/// The forward pass records, for each output, the flat index of the (first)
/// maximal input; the gradient is scattered back to those positions.
public func maxPool2d(_ input: Tensor, kernel: Int, stride: Int) -> Tensor {
    precondition(input.rank == 4, "maxPool2d: input must be NCHW (rank 4), got shape \(input.shape)")
    precondition(kernel >= 1 && stride >= 1, "maxPool2d: kernel \(kernel) and stride \(stride) must be >= 1")
    let n = input.shape[0], c = input.shape[1], h = input.shape[2], w = input.shape[3]
    precondition(h >= kernel && w >= kernel, "maxPool2d: kernel \(kernel) larger than input \(h)x\(w)")
    let ho = (h - kernel) / stride + 1, wo = (w - kernel) / stride + 1
    let outShape = [n, c, ho, wo]
    let planes = n * c, hw = h * w, p = ho * wo
    var indices = [Int32](repeating: 0, count: planes * p)
    let out = TensorStorage(uninitializedCount: planes * p)
    let x = input.storage.base, y = out.base
    let parts = IntraOpParallelism.parts(elements: input.count, items: planes)
    indices.withUnsafeMutableBufferPointer { idx in
        IntraOpParallelism.forEachRange(of: planes, parts: parts) { slice in
        for plane in slice {
            let base = plane &* hw
            let dst = plane &* p
            for oy in 0..<ho {
                let top = base &+ oy &* stride &* w
                if kernel == 2 {
                    for ox in 0..<wo {
                        let r0 = top &+ ox &* stride, r1 = r0 &+ w
                        var best = r0, v = x[r0]
                        if x[r0 &+ 1] > v { best = r0 &+ 1; v = x[best] }
                        if x[r1] > v { best = r1; v = x[r1] }
                        if x[r1 &+ 1] > v { best = r1 &+ 1; v = x[best] }
                        y[dst &+ oy &* wo &+ ox] = v
                        idx[dst &+ oy &* wo &+ ox] = Int32(truncatingIfNeeded: best)
                    }
                } else {
                    for ox in 0..<wo {
                        var best = top &+ ox &* stride
                        var v = x[best]
                        for i in 0..<kernel {
                            let row = top &+ i &* w &+ ox &* stride
                            for j in 0..<kernel where x[row &+ j] > v {
                                v = x[row &+ j]
                                best = row &+ j
                            }
                        }
                        y[dst &+ oy &* wo &+ ox] = v
                        idx[dst &+ oy &* wo &+ ox] = Int32(truncatingIfNeeded: best)
                    }
                }
            }
        }
        }
    }
    let saved = indices, inShape = input.shape
    return Tensor.result("maxPool2d", out, shape: outShape, inputs: [input], record: Tensor.shouldRecord(input),
                         backward: { ctx in [ctx.grad.scatteredFlat(saved, shape: inShape)] })
}
