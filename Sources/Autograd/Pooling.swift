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
    let x = input.storage.base
    indices.withUnsafeMutableBufferPointer { idx in
        for plane in 0..<planes {
            let base = plane &* hw
            for oy in 0..<ho {
                for ox in 0..<wo {
                    var best = base &+ (oy &* stride) &* w &+ ox &* stride
                    var bestValue = x[best]
                    for i in 0..<kernel {
                        let row = base &+ (oy &* stride &+ i) &* w &+ ox &* stride
                        for j in 0..<kernel where x[row &+ j] > bestValue {
                            bestValue = x[row &+ j]
                            best = row &+ j
                        }
                    }
                    idx[plane &* p &+ oy &* wo &+ ox] = Int32(truncatingIfNeeded: best)
                }
            }
        }
    }
    return input.gatheredFlat(indices, shape: outShape)
}
