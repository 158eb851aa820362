import Autograd

/// One op (or small composition) under derivative test: its inputs and the function.
struct OpCase: Sendable, CustomStringConvertible {
    let name: String
    let inputs: @Sendable () -> [Tensor]
    let f: @Sendable ([Tensor]) -> Tensor
    /// Finite-difference step (smaller for ops with kinks near the inputs).
    var eps: Float = 1e-2

    var description: String { name }

    /// Uniform random values in `[low, high)`.
    static func uniform(_ shape: [Int], _ seed: UInt64, _ low: Float = -1, _ high: Float = 1) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.randomUniform(shape: shape, low: low, high: high, using: &rng)
    }

    /// Distinct values at least 0.05 apart and at least 0.05 away from 0 (safe for max, relu, abs).
    static func distinct(_ shape: [Int], _ seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let n = shape.reduce(1, *)
        var values = (0..<n).map { Float($0 - n / 2) * 0.05 + 0.025 }
        values.shuffle(using: &rng)
        return Tensor(shape: shape, scalars: values)
    }

    static let all: [OpCase] = [
        OpCase(name: "add broadcast", inputs: { [uniform([2, 3, 4], 1), uniform([3, 1], 2)] }, f: { $0[0] + $0[1] }),
        OpCase(name: "sub broadcast", inputs: { [uniform([4], 3), uniform([2, 3, 4], 4)] }, f: { $0[0] - $0[1] }),
        OpCase(name: "mul broadcast", inputs: { [uniform([2, 3, 4], 5), uniform([1, 3, 1], 6)] }, f: { $0[0] * $0[1] }),
        OpCase(name: "div broadcast", inputs: { [uniform([2, 3], 7), uniform([3], 8, 0.5, 2)] }, f: { $0[0] / $0[1] }),
        OpCase(name: "mul same shape", inputs: { [uniform([3, 4], 9), uniform([3, 4], 10)] }, f: { $0[0] * $0[1] }),
        OpCase(name: "mul by scalar tensor", inputs: { [uniform([3, 4], 11), uniform([], 12)] }, f: { $0[0] * $0[1] }),
        OpCase(name: "scalar float ops", inputs: { [uniform([5], 13, 0.5, 2)] }, f: { (2 / $0[0] + 1.5) * 3 - (1 - $0[0]) / 2 }),
        OpCase(name: "neg", inputs: { [uniform([5], 14)] }, f: { -$0[0] }),
        OpCase(name: "exp", inputs: { [uniform([2, 3], 15)] }, f: { $0[0].exp() }),
        OpCase(name: "log", inputs: { [uniform([2, 3], 16, 0.5, 2)] }, f: { $0[0].log() }),
        OpCase(name: "sqrt", inputs: { [uniform([2, 3], 17, 0.5, 2)] }, f: { $0[0].sqrt() }),
        OpCase(name: "pow 3", inputs: { [uniform([2, 3], 18)] }, f: { $0[0].pow(3) }),
        OpCase(name: "pow -0.5", inputs: { [uniform([2, 3], 19, 0.5, 2)] }, f: { $0[0].pow(-0.5) }),
        OpCase(name: "squared", inputs: { [uniform([2, 3], 20)] }, f: { $0[0].squared() }),
        OpCase(name: "relu", inputs: { [distinct([3, 4], 21)] }, f: { $0[0].relu() }),
        OpCase(name: "leakyRelu", inputs: { [distinct([3, 4], 22)] }, f: { $0[0].leakyRelu(slope: 0.1) }),
        OpCase(name: "abs", inputs: { [distinct([3, 4], 23)] }, f: { $0[0].abs() }),
        OpCase(name: "sigmoid", inputs: { [uniform([3, 4], 24, -3, 3)] }, f: { $0[0].sigmoid() }),
        OpCase(name: "tanh", inputs: { [uniform([3, 4], 25, -2, 2)] }, f: { $0[0].tanh() }),
        OpCase(name: "matmul", inputs: { [uniform([3, 4], 26), uniform([4, 2], 27)] }, f: { $0[0].matmul($0[1]) }),
        OpCase(name: "batched matmul", inputs: { [uniform([2, 3, 4], 28), uniform([2, 4, 2], 29)] }, f: { $0[0].matmul($0[1]) }),
        OpCase(name: "matmul of transposes", inputs: { [uniform([4, 3], 30), uniform([2, 4], 31)] },
               f: { $0[0].transposed().matmul($0[1].transposed()) }),
        OpCase(name: "conv2d 3x3 s1 p1 bias", inputs: { [uniform([2, 2, 4, 4], 32), uniform([3, 2, 3, 3], 33), uniform([3], 34)] },
               f: { conv2d($0[0], weight: $0[1], bias: $0[2], stride: 1, padding: 1) }),
        OpCase(name: "conv2d 3x3 s2 p1", inputs: { [uniform([2, 2, 5, 5], 35), uniform([2, 2, 3, 3], 36)] },
               f: { conv2d($0[0], weight: $0[1], bias: nil, stride: 2, padding: 1) }),
        OpCase(name: "conv2d 2x3 s2 p0 non-square", inputs: { [uniform([1, 3, 5, 6], 37), uniform([2, 3, 2, 3], 38)] },
               f: { conv2d($0[0], weight: $0[1], bias: nil, stride: 2, padding: 0) }),
        // Winograd shapes: the Hessian-vector check moves all ~3000 inputs at once, so a
        // step of 1e-2 leaves tanh's curvature in the differences (im2col fails it alike).
        OpCase(name: "conv2d 3x3 s1 p1 Winograd (16 channels, 7x7, bias)",
               inputs: { [uniform([1, 16, 7, 7], 70), uniform([16, 16, 3, 3], 71, -0.15, 0.15), uniform([16], 72)] },
               f: { conv2d($0[0], weight: $0[1], bias: $0[2], stride: 1, padding: 1) }, eps: 1e-3),
        OpCase(name: "conv2d 3x3 s1 p0 Winograd (16->20 channels, 9x9)",
               inputs: { [uniform([1, 16, 9, 9], 73), uniform([20, 16, 3, 3], 74, -0.15, 0.15)] },
               f: { conv2d($0[0], weight: $0[1], bias: nil, stride: 1, padding: 0) }, eps: 1e-3),
        // Channels-last shapes (16+ input channels, no Winograd): stride 2 with an odd map
        // (MAML's Conv4 layer), and stride 1 with a 5x5 kernel and 20 -> 8 channels.
        OpCase(name: "conv2d 3x3 s2 p1 channels-last (16 channels, 7x7, bias)",
               inputs: { [uniform([2, 16, 7, 7], 84), uniform([16, 16, 3, 3], 85, -0.15, 0.15), uniform([16], 86)] },
               f: { conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) }, eps: 1e-3),
        OpCase(name: "conv2d 5x5 s1 p2 channels-last (20->8 channels, 4x5)",
               inputs: { [uniform([1, 20, 4, 5], 87), uniform([8, 20, 5, 5], 88, -0.08, 0.08)] },
               f: { conv2d($0[0], weight: $0[1], bias: nil, stride: 1, padding: 2) }, eps: 1e-3),
        // conv2dChannelsLast (NHWC input and output): the channels-last tiles (16 -> 16
        // channels, stride 2, odd map, bias), the one-channel direct kernels (stride 2, 8
        // and 16 output channels: `OneChannelConvolution`), the one-channel GEMMs (stride 2,
        // 4 output channels), and the NCHW fallback between transposes (3 -> 5 channels; one
        // channel at stride 1, the single-channel kernel).
        OpCase(name: "conv2dChannelsLast 3x3 s2 p1 tiles (16 channels, 7x7, bias)",
               inputs: { [uniform([2, 7, 7, 16], 89), uniform([16, 16, 3, 3], 90, -0.15, 0.15), uniform([16], 91)] },
               f: { conv2dChannelsLast($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) }, eps: 1e-3),
        OpCase(name: "conv2dChannelsLast 3x3 s2 p1 one channel direct (8 channels, bias)",
               inputs: { [uniform([2, 7, 6, 1], 104), uniform([8, 1, 3, 3], 105), uniform([8], 106)] },
               f: { conv2dChannelsLast($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) }),
        OpCase(name: "conv2dChannelsLast 3x3 s2 p0 one channel direct (16 channels)",
               inputs: { [uniform([3, 7, 9, 1], 107), uniform([16, 1, 3, 3], 108)] },
               f: { conv2dChannelsLast($0[0], weight: $0[1], bias: nil, stride: 2, padding: 0) }),
        OpCase(name: "conv2dChannelsLast 3x3 s2 p1 one channel (bias)",
               inputs: { [uniform([2, 6, 5, 1], 92), uniform([4, 1, 3, 3], 93), uniform([4], 94)] },
               f: { conv2dChannelsLast($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) }),
        OpCase(name: "conv2dChannelsLast 3x3 s1 p1 one channel",
               inputs: { [uniform([2, 5, 4, 1], 95), uniform([3, 1, 3, 3], 96)] },
               f: { conv2dChannelsLast($0[0], weight: $0[1], bias: nil, stride: 1, padding: 1) }),
        OpCase(name: "conv2dChannelsLast 2x3 s2 p0 fallback (3 -> 5 channels)",
               inputs: { [uniform([2, 5, 6, 3], 97), uniform([5, 3, 2, 3], 98), uniform([5], 99)] },
               f: { conv2dChannelsLast($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 0) }),
        OpCase(name: "batchNormReLUChannelsLast 4-D affine",
               inputs: { [distinct([3, 2, 3, 2], 100), uniform([2], 101, 0.5, 1.5), uniform([2], 102, -0.3, 0.3)] },
               f: { batchNormReLUChannelsLast($0[0], scale: $0[1], offset: $0[2]) }, eps: 1e-3),
        OpCase(name: "batchNormReLUChannelsLast 2-D plain", inputs: { [distinct([5, 3], 103)] },
               f: { batchNormReLUChannelsLast($0[0], scale: nil, offset: nil) }, eps: 1e-3),
        OpCase(name: "maxPool2d k2 s2", inputs: { [distinct([2, 2, 4, 5], 39)] }, f: { maxPool2d($0[0], kernel: 2, stride: 2) }),
        OpCase(name: "maxPool2d k3 s2 overlapping", inputs: { [distinct([1, 2, 5, 5], 40)] }, f: { maxPool2d($0[0], kernel: 3, stride: 2) }),
        OpCase(name: "batchNorm 4-D affine", inputs: { [uniform([3, 2, 2, 3], 41), uniform([2], 42, 0.5, 1.5), uniform([2], 43)] },
               f: { batchNorm($0[0], scale: $0[1], offset: $0[2]) }),
        OpCase(name: "batchNormReLU 4-D affine", inputs: { [distinct([3, 2, 2, 3], 77), uniform([2], 78, 0.5, 1.5), uniform([2], 79, -0.3, 0.3)] },
               f: { batchNormReLU($0[0], scale: $0[1], offset: $0[2]) }, eps: 1e-3),
        OpCase(name: "batchNormReLU 4-D affine, 2x2 max pooling", inputs: { [distinct([3, 2, 4, 5], 80), uniform([2], 81, 0.5, 1.5), uniform([2], 82, -0.3, 0.3)] },
               f: { batchNormReLU($0[0], scale: $0[1], offset: $0[2], maxPool: true) }, eps: 1e-3),
        OpCase(name: "batchNormReLU 2-D plain", inputs: { [distinct([5, 3], 83)] }, f: { batchNormReLU($0[0], scale: nil, offset: nil) }, eps: 1e-3),
        OpCase(name: "batchNorm 2-D plain", inputs: { [uniform([4, 3], 44)] }, f: { batchNorm($0[0], scale: nil, offset: nil) }),
        OpCase(name: "batchNorm 4-D scale only", inputs: { [uniform([2, 3, 2, 2], 45), uniform([3], 46, 0.5, 1.5)] },
               f: { batchNorm($0[0], scale: $0[1], offset: nil) }),
        OpCase(name: "sum", inputs: { [uniform([2, 3], 47)] }, f: { $0[0].sum() }),
        OpCase(name: "mean", inputs: { [uniform([2, 3], 48)] }, f: { $0[0].mean() }),
        OpCase(name: "sum axes 0,2", inputs: { [uniform([2, 3, 4], 49)] }, f: { $0[0].sum(axes: [0, 2]) }),
        OpCase(name: "mean axis 1 kept", inputs: { [uniform([2, 3, 4], 50)] }, f: { $0[0].mean(axes: [1], keepingDimensions: true) }),
        OpCase(name: "max axis 1", inputs: { [distinct([2, 3, 4], 51)] }, f: { $0[0].max(axes: [1]) }),
        OpCase(name: "max axes 0,2 kept", inputs: { [distinct([2, 3, 4], 52)] }, f: { $0[0].max(axes: [0, 2], keepingDimensions: true) }),
        OpCase(name: "reshape and flatten", inputs: { [uniform([2, 3, 4], 53)] }, f: { $0[0].reshaped([4, -1]).flattened(from: 0) * $0[0].flattened() .reshaped([-1]) }),
        OpCase(name: "permute", inputs: { [uniform([2, 3, 4], 54)] }, f: { $0[0].permuted([2, 0, 1]) }),
        OpCase(name: "transpose", inputs: { [uniform([3, 4], 55)] }, f: { $0[0].transposed() * $0[0].transposed() }),
        OpCase(name: "broadcasted", inputs: { [uniform([3, 1], 56)] }, f: { $0[0].broadcasted(to: [2, 3, 4]) }),
        OpCase(name: "concat axis 1", inputs: { [uniform([2, 2, 3], 57), uniform([2, 1, 3], 58)] }, f: { Tensor.concat([$0[0], $0[1], $0[0]], axis: 1) }),
        OpCase(name: "slice axis 1", inputs: { [uniform([2, 5, 3], 59)] }, f: { $0[0].slice(axis: 1, range: 1..<4) }),
        OpCase(name: "gather axis 0 with repeats", inputs: { [uniform([4, 3], 60)] }, f: { $0[0].gathered(indices: [2, 0, 2, 3]) }),
        OpCase(name: "gather axis 1", inputs: { [uniform([2, 4, 3], 61)] }, f: { $0[0].gathered(indices: [3, 1], axis: 1) }),
        OpCase(name: "softmax last axis", inputs: { [uniform([3, 4], 62, -2, 2)] }, f: { $0[0].softmax() }),
        OpCase(name: "softmax axis 0", inputs: { [uniform([3, 4, 2], 63, -2, 2)] }, f: { $0[0].softmax(axis: 0) }),
        OpCase(name: "logSoftmax", inputs: { [uniform([3, 4], 64, -2, 2)] }, f: { $0[0].logSoftmax(axis: 1) }),
        OpCase(name: "crossEntropy", inputs: { [uniform([4, 3], 65, -2, 2)] }, f: { crossEntropy(logits: $0[0], labels: [0, 2, 1, 2]) }),
        OpCase(name: "crossEntropy via oneHot", inputs: { [uniform([4, 3], 66, -2, 2)] },
               f: { -($0[0].logSoftmax() * Tensor.oneHot([1, 0, 2, 2], classes: 3)).sum(axes: [1]).mean() }),
        OpCase(name: "meanSquaredError", inputs: { [uniform([3, 2], 67), uniform([3, 2], 68)] }, f: { meanSquaredError($0[0], $0[1]) }),
        OpCase(name: "pairwiseSquaredDistance", inputs: { [uniform([3, 4], 69), uniform([2, 4], 70)] }, f: { pairwiseSquaredDistance($0[0], $0[1]) }),
        OpCase(name: "choleskySolve", inputs: { [uniform([4, 4], 73, -0.3, 0.3) + Tensor(shape: [4, 4], scalars: (0..<16).map { $0 % 5 == 0 ? 2 : 0 }),
                                                  uniform([4, 3], 74)] }, f: { choleskySolve($0[0], $0[1]) }),
        OpCase(name: "ridge regression head", inputs: { [uniform([5, 3], 75), uniform([5, 2], 76)] }, f: {
            let z = $0[0]
            let gram = z.matmul(z.transposed()) + Tensor(shape: [5, 5], scalars: (0..<25).map { $0 % 6 == 0 ? 0.5 : 0 })
            return z.transposed().matmul(choleskySolve(gram, $0[1]))
        }),
        OpCase(name: "cosineSimilarity", inputs: { [uniform([3, 4], 71), uniform([2, 4], 72)] }, f: { cosineSimilarity($0[0], $0[1]) }),
    ]
}
