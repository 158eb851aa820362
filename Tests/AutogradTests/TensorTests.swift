import Foundation
import Autograd
import Testing

/// Forward values of the ops against direct reference computations.
@Suite struct TensorTests {
    func close(_ a: [Float], _ b: [Float], _ tol: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tol * (1 + Swift.abs($1)) }
    }

    @Test func creationAndAccessors() {
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.shape == [2, 3] && t.rank == 2 && t.count == 6)
        #expect(t[1, 2] == 6)
        #expect(Tensor(3.5).scalar == 3.5 && Tensor(3.5).shape == [])
        #expect(Tensor(zeros: [2, 2]).scalars == [0, 0, 0, 0])
        #expect(Tensor(ones: [3]).scalars == [1, 1, 1])
        #expect(t.withUnsafeBufferPointer { Array($0) } == [1, 2, 3, 4, 5, 6])
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        #expect(Tensor.randomNormal(shape: [10], using: &a).scalars == Tensor.randomNormal(shape: [10], using: &b).scalars)
        let u = Tensor.randomUniform(shape: [1000], low: 2, high: 3, using: &a).scalars
        #expect(u.allSatisfy { $0 >= 2 && $0 < 3 })
        let n = Tensor.randomNormal(shape: [4000], mean: 1, std: 2, using: &a).scalars
        let mean = n.reduce(0, +) / 4000
        #expect(Swift.abs(mean - 1) < 0.1)
    }

    @Test func broadcastingArithmetic() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3], scalars: [10, 20, 30])
        let c = Tensor(shape: [2, 1], scalars: [100, 200])
        #expect((a + b).scalars == [11, 22, 33, 14, 25, 36])
        #expect((a * c).scalars == [100, 200, 300, 800, 1000, 1200])
        #expect((b - c).shape == [2, 3])
        #expect((b - c).scalars == [-90, -80, -70, -190, -180, -170])
        #expect((a / 2).scalars == [0.5, 1, 1.5, 2, 2.5, 3])
        #expect((1 - a).scalars == [0, -1, -2, -3, -4, -5])
        #expect((-a).scalars == [-1, -2, -3, -4, -5, -6])
        let big = Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Float.init))
        let mid = Tensor(shape: [3, 1], scalars: [1, 2, 3])
        #expect((big * mid).scalars == [0, 1, 4, 6, 12, 15, 6, 7, 16, 18, 30, 33])
    }

    /// `summed(toShape:)` over leading dimensions (a channels-last bias gradient: `[N, H, W, C]`
    /// to `[C]`) adds each column's rows in order, so it must equal the plain sequential sum
    /// bit for bit, for column counts that use the 64-, 16- and 1-column loops.
    @Test func rowSumsAddInRowOrder() {
        var g = SeededGenerator(seed: 11)
        for columns in [3, 16, 64, 83, 150] {
            let x = Tensor.randomNormal(shape: [3, 5, 7, columns], using: &g)
            let sums = x.summed(toShape: [columns]).scalars
            let values = x.scalars, rows = x.count / columns
            var expected = [Float](repeating: 0, count: columns)
            for r in 0..<rows {
                for j in 0..<columns { expected[j] += values[r * columns + j] }
            }
            #expect(sums == expected, "\(columns) columns")
            // The same reduction to a broadcast shape keeps its trailing axis.
            #expect(x.summed(toShape: [1, columns]).scalars == expected)
        }
    }

    @Test func unaryFunctions() {
        let x = Tensor(shape: [4], scalars: [-2, -0.5, 0.5, 2])
        #expect(x.relu().scalars == [0, 0, 0.5, 2])
        #expect(close(x.leakyRelu(slope: 0.1).scalars, [-0.2, -0.05, 0.5, 2]))
        #expect(close(x.exp().scalars, x.scalars.map { Float.exp($0) }))
        #expect(close(x.tanh().scalars, x.scalars.map { Float.tanh($0) }))
        #expect(close(x.sigmoid().scalars, x.scalars.map { 1 / (1 + Float.exp(-$0)) }))
        #expect(close(x.squared().scalars, [4, 0.25, 0.25, 4]))
        let p = Tensor(shape: [3], scalars: [1, 4, 9])
        #expect(close(p.sqrt().scalars, [1, 2, 3]))
        #expect(close(p.log().scalars, [0, Float.log(4), Float.log(9)]))
        #expect(close(p.pow(1.5).scalars, [1, 8, 27]))
    }

    @Test func matmulMatchesNaive() {
        var rng = SeededGenerator(seed: 1)
        let a = Tensor.randomNormal(shape: [2, 3, 5], using: &rng), b = Tensor.randomNormal(shape: [2, 5, 4], using: &rng)
        let c = a.matmul(b)
        #expect(c.shape == [2, 3, 4])
        for bi in 0..<2 { for i in 0..<3 { for j in 0..<4 {
            let ref = (0..<5).reduce(Float(0)) { $0 + a[bi, i, $1] * b[bi, $1, j] }
            #expect(Swift.abs(c[bi, i, j] - ref) < 1e-4)
        } } }
    }

    @Test func conv2dMatchesNaive() {
        var rng = SeededGenerator(seed: 2)
        for (stride, padding) in [(1, 0), (1, 1), (2, 1), (2, 0)] {
            let x = Tensor.randomNormal(shape: [2, 3, 6, 5], using: &rng)
            let w = Tensor.randomNormal(shape: [4, 3, 3, 2], using: &rng)
            let bias = Tensor.randomNormal(shape: [4], using: &rng)
            let y = conv2d(x, weight: w, bias: bias, stride: stride, padding: padding)
            let ho = (6 + 2 * padding - 3) / stride + 1, wo = (5 + 2 * padding - 2) / stride + 1
            #expect(y.shape == [2, 4, ho, wo])
            for n in 0..<2 { for o in 0..<4 { for oy in 0..<ho { for ox in 0..<wo {
                var ref = bias[o]
                for c in 0..<3 { for i in 0..<3 { for j in 0..<2 {
                    let iy = oy * stride - padding + i, ix = ox * stride - padding + j
                    if iy >= 0 && iy < 6 && ix >= 0 && ix < 5 { ref += x[n, c, iy, ix] * w[o, c, i, j] }
                } } }
                #expect(Swift.abs(y[n, o, oy, ox] - ref) < 1e-4, "stride \(stride) padding \(padding)")
            } } } }
        }
    }

    @Test func maxPoolAndMax() {
        let x = Tensor(shape: [1, 1, 4, 4], scalars: [1, 5, 2, 0,
                                                     3, 4, 8, 1,
                                                     0, 0, 1, 2,
                                                     9, 0, 3, 7])
        #expect(maxPool2d(x, kernel: 2, stride: 2).scalars == [5, 8, 9, 7])
        #expect(maxPool2d(x, kernel: 3, stride: 1).scalars == [8, 8, 9, 8])
        let m = Tensor(shape: [2, 3], scalars: [1, 7, 3, 9, 2, 4])
        #expect(m.max(axes: [1]).scalars == [7, 9])
        #expect(m.max(axes: [0], keepingDimensions: true).shape == [1, 3])
        #expect(m.max(axes: [0]).scalars == [9, 7, 4])
        #expect(m.argmax(axis: 1) == [1, 0])
        #expect(m.argmax(axis: 0) == [1, 0, 1])
        #expect(accuracy(logits: m, labels: [1, 2]) == 0.5)
    }

    @Test func reductionsAndShapes() {
        let x = Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Float.init))
        #expect(x.sum().scalar == 66)
        #expect(x.mean().scalar == 5.5)
        #expect(x.sum(axes: [1]).scalars == [6, 9, 24, 27])
        #expect(x.sum(axes: [0, 2], keepingDimensions: true).shape == [1, 3, 1])
        #expect(x.sum(axes: [0, 2]).scalars == [14, 22, 30])
        #expect(x.mean(axes: [-1]).scalars == [0.5, 2.5, 4.5, 6.5, 8.5, 10.5])
        #expect(x.reshaped([3, -1]).shape == [3, 4])
        #expect(x.flattened().shape == [2, 6])
        #expect(x.permuted([2, 0, 1]).scalars == [0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11])
        #expect(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]).transposed().scalars == [1, 4, 2, 5, 3, 6])
        #expect(x.slice(axis: 1, range: 1..<3).scalars == [2, 3, 4, 5, 8, 9, 10, 11])
        let c = Tensor.concat([x.slice(axis: 1, range: 0..<1), x.slice(axis: 1, range: 1..<3)], axis: 1)
        #expect(c.scalars == x.scalars)
        #expect(x.gathered(indices: [1, 1, 0], axis: 0).shape == [3, 3, 2])
        #expect(x.gathered(indices: [2], axis: 1).scalars == [4, 5, 10, 11])
        #expect(Tensor.oneHot([2, 0], classes: 3).scalars == [0, 0, 1, 1, 0, 0])
        #expect(Tensor(shape: [3], scalars: [1, 2, 3]).broadcasted(to: [2, 3]).scalars == [1, 2, 3, 1, 2, 3])
    }

    @Test func softmaxLossesAndDistances() {
        let logits = Tensor(shape: [2, 3], scalars: [1, 2, 3, 1000, 0, -1000])
        let s = logits.softmax().scalars
        #expect(close([s[0] + s[1] + s[2], s[3]], [1, 1]))
        #expect(close(logits.logSoftmax().exp().scalars, s, 1e-5))
        let ce = crossEntropy(logits: logits, labels: [2, 0]).scalar
        let ref = (-Float.log(s[2]) + 0) / 2
        #expect(Swift.abs(ce - ref) < 1e-5)
        #expect(meanSquaredError(Tensor(shape: [2], scalars: [1, 3]), Tensor(shape: [2], scalars: [0, 1])).scalar == 2.5)
        let a = Tensor(shape: [2, 2], scalars: [0, 0, 3, 4]), b = Tensor(shape: [1, 2], scalars: [3, 0])
        #expect(close(pairwiseSquaredDistance(a, b).scalars, [9, 16], 1e-5))
        #expect(close(cosineSimilarity(a, b).scalars, [0, 0.6], 1e-5))
    }

    @Test func choleskySolveSolves() {
        let a = Tensor(shape: [3, 3], scalars: [4, 1, 0, 1, 3, 1, 0, 1, 2])
        let x = Tensor(shape: [3, 2], scalars: [1, -1, 2, 0.5, -3, 1])
        let b = a.matmul(x)
        #expect(close(choleskySolve(a, b).scalars, x.scalars, 1e-5))
    }

    @Test func batchNormNormalisesEachChannel() {
        var rng = SeededGenerator(seed: 3)
        let x = Tensor.randomNormal(shape: [4, 2, 3, 3], mean: 5, std: 3, using: &rng)
        let y = batchNorm(x, scale: Tensor(shape: [2], scalars: [2, 1]), offset: Tensor(shape: [2], scalars: [1, 0]))
        let mean = y.mean(axes: [0, 2, 3]).scalars
        let variance = (y - y.mean(axes: [0, 2, 3], keepingDimensions: true)).squared().mean(axes: [0, 2, 3]).scalars
        #expect(close(mean, [1, 0], 1e-4))
        #expect(close(variance, [4, 1], 1e-3))
    }

    @Test func gradientBookkeeping() {
        let w = Tensor(shape: [2], scalars: [1, 2]).requiringGradient()
        let unused = Tensor(shape: [3], scalars: [1, 1, 1]).requiringGradient()
        let constant = Tensor(shape: [2], scalars: [3, 4])
        #expect(w.requiresGradient && !constant.requiresGradient && w.isLeaf)
        let loss = (w * constant).sum()
        #expect(loss.requiresGradient && !loss.isLeaf)
        let g = gradients(of: loss, with: [w, unused, constant])
        #expect(g[0].scalars == [3, 4])
        #expect(g[1].scalars == [0, 0, 0])
        #expect(g[2].scalars == [0, 0])
        #expect(!g[0].requiresGradient, "fast-path gradients carry no graph")
        #expect(!(w * 2).detached().requiresGradient)
        let inside = withoutGradient { (w * constant).sum() }
        #expect(!inside.requiresGradient, "no graph inside withoutGradient")
        let reused = (w * w).sum()
        #expect(gradients(of: reused, with: [w])[0].scalars == [2, 4], "a tensor used twice accumulates")
        let second = gradients(of: reused, with: [w], createGraph: true)[0]
        #expect(second.requiresGradient)
        #expect(gradients(of: second.sum(), with: [w])[0].scalars == [2, 2])
    }

    /// Gradients of a value used by several ops are summed in place only into a buffer
    /// nothing else holds. `add`'s backward hands the same gradient buffer to both of its
    /// inputs; `a`'s other uses are processed after it (they come first in the loss), so
    /// adding their contributions into that buffer in place would change `b`'s gradient.
    @Test func accumulationNeverWritesASharedGradient() {
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]).requiringGradient()
        let b = Tensor(shape: [2, 2], scalars: [5, 6, 7, 8]).requiringGradient()
        let c = Tensor(shape: [4], scalars: [1, 1, 1, 1]).requiringGradient()
        let sum = a + b
        let loss = (a * 3).sum() + (a.reshaped([4]) * c).sum() + (sum * sum).sum()
        let g = gradients(of: loss, with: [a, b, c])
        // d/da = 3 + c + 2(a + b), d/db = 2(a + b), d/dc = a.
        #expect(g[0].scalars == [16, 20, 24, 28])
        #expect(g[1].scalars == [12, 16, 20, 24])
        #expect(g[2].scalars == [1, 2, 3, 4])
        let recorded = gradients(of: loss, with: [a, b, c], createGraph: true)
        #expect(recorded.map(\.scalars) == g.map(\.scalars), "the same sums with createGraph")
        #expect(a.scalars == [1, 2, 3, 4] && b.scalars == [5, 6, 7, 8], "inputs untouched")
    }

    @Test func parameterSet() {
        var p = ParameterSet([("w", Tensor(ones: [2, 3])), ("b", Tensor(zeros: [3]))])
        #expect(p.names == ["w", "b"] && p.count == 2 && p.parameterCount == 9)
        p["c"] = Tensor(3)
        #expect(p.names == ["w", "b", "c"])
        p["b"] = Tensor(ones: [3])
        #expect(p["b"]?.scalars == [1, 1, 1] && p.names == ["w", "b", "c"])
        p["c"] = nil
        #expect(p.names == ["w", "b"] && p["c"] == nil)
        let trainable = p.requiringGradient()
        #expect(trainable.tensors.allSatisfy { $0.requiresGradient })
        #expect(!trainable.detached().tensors.contains { $0.requiresGradient })
        let loss = (trainable["w"]!.sum(axes: [0]) * trainable["b"]!).sum()
        let g = gradients(of: loss, with: trainable)
        #expect(g.names == ["w", "b"])
        #expect(g["w"]?.scalars == [1, 1, 1, 1, 1, 1])
        #expect(g["b"]?.scalars == [2, 2, 2])
        let stepped = trainable.combined(with: g) { _, p, g in p - 0.5 * g }
        #expect(stepped["b"]?.scalars == [0, 0, 0])
        #expect(Array(p.map(\.name)) == ["w", "b"])
        #expect(p.mapTensors { _, t in t * 2 }["w"]?.scalars == [2, 2, 2, 2, 2, 2])
    }
}

/// The per-thread buffer pool reuses freed buffers and can be emptied.
@Suite struct BufferPoolTests {
    @Test func freedTensorsAreCachedAndReleased() {
        BufferPool.releaseCachedBuffers()
        #expect(BufferPool.cachedByteCount == 0)
        do {
            let t = Tensor(zeros: [64, 64])
            #expect(t.count == 4096)
        }
        #expect(BufferPool.cachedByteCount == 4096 * 4)
        let reused = Tensor(ones: [4096])
        #expect(BufferPool.cachedByteCount == 0, "a buffer of the same size is taken from the pool")
        #expect(reused.scalars.allSatisfy { $0 == 1 })
        BufferPool.releaseCachedBuffers()
        #expect(BufferPool.cachedByteCount == 0)
    }

    /// A buffer allocated on another thread (a worker's task gradient) and
    /// freed here goes back to malloc: this thread would never reuse it.
    @Test func buffersFromOtherThreadsAreNotCached() {
        BufferPool.releaseCachedBuffers()
        final class Box: @unchecked Sendable { var tensor: Tensor? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Thread { box.tensor = Tensor(zeros: [4096]); done.signal() }.start()
        done.wait()
        #expect(box.tensor?.count == 4096)
        box.tensor = nil
        #expect(BufferPool.cachedByteCount == 0, "another thread's buffer must not be cached here")
        do { _ = Tensor(zeros: [4096]) }
        #expect(BufferPool.cachedByteCount == 4096 * 4, "this thread's own buffer is cached")
        BufferPool.releaseCachedBuffers()
    }

    /// A large training step's activations (here three 100 MB tensors, like
    /// a 60-way ProtoNet episode's first-layer outputs) stay cached between
    /// steps instead of going back to the kernel.
    @Test(.enabled(if: BufferPool.capacityBytes >= 512 << 20, "needs a machine with 4 GiB of memory or more"))
    func aLargeStepsBuffersAreAllKept() {
        BufferPool.releaseCachedBuffers()
        let count = 25_000_000
        do {
            let step = (0..<3).map { Tensor(zeros: [count + $0]) }
            #expect(step.map(\.count) == [count, count + 1, count + 2])
        }
        #expect(BufferPool.cachedByteCount == (3 * count + 3) * 4, "all three freed buffers are cached")
        do {
            let next = (0..<3).map { Tensor(ones: [count + $0]) }
            #expect(BufferPool.cachedByteCount == 0, "the next step takes them back")
            #expect(next[2].scalars.last == 1)
        }
        BufferPool.releaseCachedBuffers()
        #expect(BufferPool.cachedByteCount == 0)
    }
}
