import Autograd
import Foundation
import Synchronization
import Testing

/// Graphs are per thread: concurrent gradient computations on separate graphs
/// give bit-identical results to serial ones, and `withoutGradient` is per thread.
@Suite struct ThreadingTests {
    static func gradient(seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        let x = Tensor.randomNormal(shape: [8, 2, 8, 8], using: &rng)
        let w1 = Tensor.randomNormal(shape: [8, 2, 3, 3], std: 0.3, using: &rng).requiringGradient()
        let w2 = Tensor.randomNormal(shape: [8, 8, 3, 3], std: 0.2, using: &rng).requiringGradient()
        let fc = Tensor.randomNormal(shape: [8, 5], std: 0.3, using: &rng).requiringGradient()
        var h = batchNorm(conv2d(x, weight: w1, bias: nil, stride: 1, padding: 1), scale: nil, offset: nil).relu()
        h = maxPool2d(h, kernel: 2, stride: 2)
        h = batchNorm(conv2d(h, weight: w2, bias: nil, stride: 2, padding: 1), scale: nil, offset: nil).relu()
        let loss = crossEntropy(logits: h.mean(axes: [2, 3]).matmul(fc), labels: [0, 1, 2, 3, 4, 0, 1, 2])
        let first = gradients(of: loss, with: [w1, w2, fc], createGraph: true)
        let hv = gradients(of: first.map { $0.squared().sum() }.reduce(Tensor(0), +), with: [w1, w2, fc])
        return (first + hv).flatMap(\.scalars)
    }

    @Test func concurrentGradientsEqualSerial() {
        let seeds: [UInt64] = [1, 2, 3, 4]
        let serial = seeds.map { Self.gradient(seed: $0) }
        let results = Mutex<[Int: [Float]]>([:])
        DispatchQueue.concurrentPerform(iterations: seeds.count) { i in
            let g = Self.gradient(seed: seeds[i])
            results.withLock { $0[i] = g }
        }
        let concurrent = results.withLock { $0 }
        for i in seeds.indices { #expect(concurrent[i] == serial[i], "seed \(seeds[i])") }
    }

    @Test func noGradientScopeIsPerThread() {
        let entered = DispatchSemaphore(value: 0), checked = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        let recordedElsewhere = Mutex<Bool?>(nil), recordedInside = Mutex<Bool?>(nil)
        let w = Tensor(shape: [2], scalars: [1, 2]).requiringGradient()
        Thread {
            withoutGradient {
                entered.signal()
                checked.wait()
                recordedInside.withLock { $0 = (w * w).requiresGradient }
            }
            done.signal()
        }.start()
        Thread {
            entered.wait()
            recordedElsewhere.withLock { $0 = (w * w).requiresGradient }
            checked.signal()
            done.signal()
        }.start()
        done.wait()
        done.wait()
        #expect(recordedElsewhere.withLock { $0 } == true, "another thread's no-grad scope must not leak")
        #expect(recordedInside.withLock { $0 } == false)
    }
}
