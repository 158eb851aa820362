import Autograd
import Testing

/// A convolution treats the images of a batch independently, so its input
/// gradient over a batch must equal the single-image gradients side by side,
/// whichever internal route (per-image GEMMs, one batched GEMM, or the
/// batched GEMM in cache-sized chunks of images) the batch size selects.
@Suite struct ConvolutionBatchTests {
    @Test func batchedInputGradientMatchesPerImageGradients() {
        var rng = SeededGenerator(seed: 11)
        // 64 channels, 14x14, stride 2: 576x49 column elements per image, so a
        // batch of 12 is split into chunks by the batched backward.
        let n = 12
        let x = Tensor.randomNormal(shape: [n, 64, 14, 14], using: &rng)
        let w = Tensor.randomNormal(shape: [32, 64, 3, 3], std: 0.1, using: &rng)
        let r = Tensor.randomNormal(shape: [n, 32, 7, 7], using: &rng)
        let xg = x.requiringGradient(), wg = w.requiringGradient()
        let loss = (conv2d(xg, weight: wg, bias: nil, stride: 2, padding: 1) * r).sum()
        let batched = gradients(of: loss, with: [xg, wg])
        var perImage: [Float] = []
        var weightSum = [Float](repeating: 0, count: w.count)
        for i in 0..<n {
            let xi = x.slice(axis: 0, range: i..<(i + 1)).requiringGradient()
            let wi = w.requiringGradient()
            let li = (conv2d(xi, weight: wi, bias: nil, stride: 2, padding: 1) * r.slice(axis: 0, range: i..<(i + 1))).sum()
            let g = gradients(of: li, with: [xi, wi])
            perImage += g[0].scalars
            for (k, v) in g[1].scalars.enumerated() { weightSum[k] += v }
        }
        let dx = batched[0].scalars, dw = batched[1].scalars
        #expect(dx.count == perImage.count)
        let dxError = zip(dx, perImage).map { Swift.abs($0 - $1) / (1 + Swift.abs($1)) }.max() ?? .infinity
        let dwError = zip(dw, weightSum).map { Swift.abs($0 - $1) / (1 + Swift.abs($1)) }.max() ?? .infinity
        #expect(dxError < 1e-4)
        #expect(dwError < 1e-3)
    }
}
