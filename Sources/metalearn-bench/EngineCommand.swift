import ArgumentParser
import Autograd
import Foundation

/// `metalearn-bench engine`: throughput of the autograd engine's heavy kernels
/// (matmul, conv2d forward/backward, the full Conv4 forward/backward on a batch of
/// Omniglot-sized images) in GFLOP/s, next to the raw OpenBLAS sgemm rate measured
/// in the same run.
struct EngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Engine throughput: sgemm, matmul, conv2d and Conv4 forward/backward in GFLOP/s.")

    @Option(help: "OpenBLAS threads per call (1 = the setting for tasks running in parallel).")
    var threads: Int = 1

    @Option(help: "Timed repetitions per measurement (the median is reported).")
    var repetitions: Int = 20

    @Option(help: "Images per batch for the conv benchmarks (Omniglot: 1x28x28).")
    var images: Int = 25

    @Option(help: "Filters per conv layer.")
    var filters: Int = 64

    @Flag(help: "Time with this thread's CPU clock instead of the wall clock (steadier on a busy machine; needs --threads 1).")
    var cpuClock = false

    @Option(help: "Only run measurements whose name contains this text (for profiling).")
    var only: String?

    @Option(help: ArgumentHelp("Widest vector instructions of the hand-written kernels: avx512 or avx2.",
                               valueName: "set"))
    var vector: VectorLimit = .avx512

    func validate() throws {
        if cpuClock && threads != 1 { throw ValidationError("engine: --cpu-clock needs --threads 1") }
        guard threads >= 1, repetitions >= 1, images >= 1, filters >= 1 else {
            throw ValidationError("engine: --threads, --repetitions, --images and --filters must be >= 1")
        }
    }

    func run() throws {
        VectorInstructions.limited(to: vector.instructions) { measureAll() }
    }

    private func measureAll() {
        BLASConfiguration.threadCount = threads
        print("OpenBLAS \(BLASConfiguration.coreName) kernels, \(BLASConfiguration.threadCount) thread(s) per call,"
              + " \(BLASConfiguration.processorCount) processors, vector kernels \(vector.describeInForce)")
        let clock = Reporter(reference: 1, repetitions: 1, filter: nil, cpuClock: cpuClock)
        let sgemm = BLASConfiguration.measureSGEMM(m: 1024, n: 1024, k: 1024, repetitions: 20, clock: clock.now)
        let convShaped = BLASConfiguration.measureSGEMM(m: filters, n: images * 49, k: filters * 9,
                                                        repetitions: 80, clock: clock.now)
        print(Reporter.pad("sgemm 1024x1024x1024 (reference)") + String(format: " %10@ %10.1f", "", sgemm))
        print(Reporter.pad("sgemm \(filters)x\(images * 49)x\(filters * 9) (conv-shaped)")
              + String(format: " %10@ %10.1f %7.1f%%", "", convShaped, 100 * convShaped / sgemm))
        print(Reporter.pad("measurement (median of \(repetitions))") + " " + Reporter.pad("ms", 10, left: true) + " "
              + Reporter.pad("GFLOP/s", 10, left: true) + " " + Reporter.pad("% sgemm", 8, left: true))
        var report = Reporter(reference: sgemm, repetitions: repetitions, filter: only, cpuClock: cpuClock)
        var rng = SeededGenerator(seed: 1)

        // Per-op overhead: a chain of ops on 2-element tensors (no compute to speak of).
        let small = Tensor(shape: [2], scalars: [0.5, -0.25]).requiringGradient()
        let chain = 10_000
        report.measureOverhead("tiny op forward, recording (per op)", ops: 2 * chain) {
            var x = small
            for _ in 0..<chain { x = x * 1.5 + small }
        }
        var chained = small
        for _ in 0..<chain { chained = chained * 1.5 + small }
        let chainLoss = chained.sum()
        report.measureOverhead("tiny op backward, first order (per op)", ops: 2 * chain) {
            _ = gradients(of: chainLoss, with: [small])
        }
        report.measureOverhead("tiny op backward, createGraph (per op)", ops: 2 * chain) {
            _ = gradients(of: chainLoss, with: [small], createGraph: true)
        }

        // Matmul through the engine (allocation and graph included).
        let a = Tensor.randomNormal(shape: [512, 512], using: &rng), b = Tensor.randomNormal(shape: [512, 512], using: &rng)
        let mmFlops = 2.0 * 512 * 512 * 512
        report.measure("matmul 512x512x512 forward", flops: mmFlops) { _ = withoutGradient { a.matmul(b) } }
        let aw = a.requiringGradient(), bw = b.requiringGradient()
        report.measure("matmul 512x512x512 forward+backward", flops: 3 * mmFlops) {
            _ = gradients(of: aw.matmul(bw).sum(), with: [aw, bw])
        }

        // Single conv layers at Conv4's heaviest shapes; ProtoNet's stride-1 layer both through
        // im2col and through Winograd (rates count a direct convolution's FLOPs, so Winograd's
        // can pass the sgemm rate).
        let f = filters, n = images
        let x = Tensor.randomNormal(shape: [n, f, 14, 14], using: &rng)
        let w = Tensor.randomNormal(shape: [f, f, 3, 3], std: 0.05, using: &rng)
        let layers: [(Int, String, ConvolutionAlgorithm)] = [(2, "MAML layer 2", .automatic),
                                                             (1, "ProtoNet layer 2 im2col", .im2col),
                                                             (1, "ProtoNet layer 2 Winograd", .automatic)]
        for (stride, label, algorithm) in layers {
            let out = (14 + 2 - 3) / stride + 1
            let flops = 2.0 * Double(n * f * out * out * f * 9)
            ConvolutionAlgorithm.with(algorithm) {
                report.measure("conv2d \(label) fwd [\(n),\(f),14,14] s\(stride)", flops: flops) {
                    _ = withoutGradient { conv2d(x, weight: w, bias: nil, stride: stride, padding: 1) }
                }
                let xw = x.requiringGradient(), ww = w.requiringGradient()
                let loss = conv2d(xw, weight: ww, bias: nil, stride: stride, padding: 1).sum()
                report.measure("conv2d \(label) bwd (input+weight)", flops: 2 * flops) {
                    _ = gradients(of: loss, with: [xw, ww])
                }
            }
        }

        // The first layer (one input channel: a K = 9 GEMM) at 28x28.
        let image = Tensor.randomUniform(shape: [n, 1, 28, 28], low: 0, high: 1, using: &rng)
        let w1 = Tensor.randomNormal(shape: [f, 1, 3, 3], std: 0.3, using: &rng)
        let firstFlops = 2.0 * Double(n * f * 28 * 28 * 9)
        report.measure("conv2d layer 1 fwd [\(n),1,28,28] s1", flops: firstFlops) {
            _ = withoutGradient { conv2d(image, weight: w1, bias: nil, stride: 1, padding: 1) }
        }
        let w1w = w1.requiringGradient()
        let loss1 = conv2d(image, weight: w1w, bias: nil, stride: 1, padding: 1).sum()
        report.measure("conv2d layer 1 bwd (weight)", flops: firstFlops) {
            _ = gradients(of: loss1, with: [w1w])
        }

        // ProtoNet's first block tail (batch norm, ReLU, 2x2 max pooling) on the first layer's
        // output: memory passes, so the rate is in elements per nanosecond, not GFLOP/s.
        let activations = Tensor.randomNormal(shape: [n, f, 28, 28], using: &rng)
        let bnScale = Tensor(ones: [f]).requiringGradient(), bnOffset = Tensor(zeros: [f]).requiringGradient()
        let elements = Double(activations.count)
        report.measure("batchNormReLU+pool fwd [\(n),\(f),28,28] (Gelem/s)", flops: elements) {
            _ = withoutGradient { batchNormReLU(activations, scale: bnScale, offset: bnOffset, maxPool: true) }
        }
        let activationsW = activations.requiringGradient()
        let pooledLoss = batchNormReLU(activationsW, scale: bnScale, offset: bnOffset, maxPool: true).sum()
        report.measure("batchNormReLU+pool bwd [\(n),\(f),28,28] (Gelem/s)", flops: elements) {
            _ = gradients(of: pooledLoss, with: [activationsW, bnScale, bnOffset])
        }

        // Full Conv4 on a batch of Omniglot-sized images.
        let batch = Tensor.randomUniform(shape: [n, 1, 28, 28], low: 0, high: 1, using: &rng)
        let labels = (0..<n).map { Int32($0 % 5) }
        for net in [Conv4(kind: .maml, filters: f, ways: 5, rng: &rng), Conv4(kind: .protoNet, filters: f, ways: 5, rng: &rng)] {
            let params = net.parameters.requiringGradient()
            let fwd = net.forwardFlops(images: n)
            report.measure("Conv4 \(net.kind) forward (no grad)", flops: fwd) {
                _ = withoutGradient { net.logits(params, batch) }
            }
            report.measure("Conv4 \(net.kind) forward+backward", flops: 3 * fwd) {
                _ = gradients(of: crossEntropy(logits: net.logits(params, batch), labels: labels), with: params)
            }
            report.measure("Conv4 \(net.kind) fwd+bwd, createGraph", flops: 3 * fwd) {
                _ = gradients(of: crossEntropy(logits: net.logits(params, batch), labels: labels), with: params,
                              createGraph: true)
            }
        }
        // Two tasks at once, one per thread, each with its own graph (how a meta-batch runs).
        // Wall-clock time for both; the rate is their combined throughput.
        if !cpuClock {
            for kind in [Conv4.Kind.maml, .protoNet] {
                let net = Conv4(kind: kind, filters: f, ways: 5, rng: &rng)
                let params = net.parameters.requiringGradient()
                report.measure("Conv4 \(kind) fwd+bwd, 2 tasks on 2 threads", flops: 2 * 3 * net.forwardFlops(images: n)) {
                    DispatchQueue.concurrentPerform(iterations: 2) { _ in
                        _ = gradients(of: crossEntropy(logits: net.logits(params, batch), labels: labels), with: params)
                    }
                }
            }
        }

        // One second-order MAML step: inner gradient with createGraph, adapted forward, meta-gradient.
        let net = Conv4(kind: .maml, filters: f, ways: 5, rng: &rng)
        let params = net.parameters.requiringGradient()
        report.measure("MAML one inner step + 2nd-order meta-gradient", flops: 0) {
            let g = gradients(of: crossEntropy(logits: net.logits(params, batch), labels: labels), with: params,
                              createGraph: true)
            let adapted = params.combined(with: g) { _, p, g in p - 0.4 * g }
            _ = gradients(of: crossEntropy(logits: net.logits(adapted, batch), labels: labels), with: params)
        }
    }
}

/// Times closures and prints one line per measurement.
struct Reporter {
    let reference: Double
    let repetitions: Int
    let filter: String?
    let cpuClock: Bool

    /// Seconds on the chosen clock.
    func now() -> Double {
        if cpuClock {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        }
        return Double(DispatchTime.now().uptimeNanoseconds) * 1e-9
    }

    static func pad(_ s: String, _ width: Int = 54, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: Swift.max(0, width - s.count))
        return left ? fill + s : s + fill
    }

    /// Prints the median time per op in microseconds.
    mutating func measureOverhead(_ name: String, ops: Int, _ body: () -> Void) {
        if let filter, !name.contains(filter) { return }
        body()
        var times: [Double] = []
        for _ in 0..<Swift.max(3, repetitions / 4) {
            let start = now()
            body()
            times.append(now() - start)
        }
        times.sort()
        print(Self.pad(name) + String(format: " %10.3f µs", times[times.count / 2] / Double(ops) * 1e6))
    }

    mutating func measure(_ name: String, flops: Double, _ body: () -> Void) {
        if let filter, !name.contains(filter) { return }
        body()
        var times: [Double] = []
        for _ in 0..<repetitions {
            let start = now()
            body()
            times.append(now() - start)
        }
        times.sort()
        let median = times[times.count / 2]
        if flops > 0 {
            let rate = flops / median / 1e9
            print(Self.pad(name) + String(format: " %10.3f %10.1f %7.1f%%", median * 1e3, rate, 100 * rate / reference))
        } else {
            print(Self.pad(name) + String(format: " %10.3f", median * 1e3))
        }
    }
}

/// The Conv4 backbones of MAML (stride-2 convs, spatial mean) and ProtoNet (max-pooling), written
/// directly on the engine so the benchmark depends on nothing above it.
struct Conv4 {
    enum Kind: String, CustomStringConvertible {
        case maml = "MAML", protoNet = "ProtoNet"
        var description: String { rawValue }
    }

    let kind: Kind
    let filters: Int
    let ways: Int
    let parameters: ParameterSet

    init(kind: Kind, filters: Int, ways: Int, rng: inout SeededGenerator) {
        self.kind = kind
        self.filters = filters
        self.ways = ways
        var pairs: [(String, Tensor)] = []
        var inChannels = 1
        for layer in 0..<4 {
            let std = (2 / Float(inChannels * 9)).squareRoot()
            pairs.append(("conv\(layer).weight", Tensor.randomNormal(shape: [filters, inChannels, 3, 3], std: std, using: &rng)))
            pairs.append(("conv\(layer).bias", Tensor(zeros: [filters])))
            pairs.append(("bn\(layer).scale", Tensor(ones: [filters])))
            pairs.append(("bn\(layer).offset", Tensor(zeros: [filters])))
            inChannels = filters
        }
        if kind == .maml {
            pairs.append(("head.weight", Tensor.randomNormal(shape: [filters, ways], std: 0.1, using: &rng)))
            pairs.append(("head.bias", Tensor(zeros: [ways])))
        }
        parameters = ParameterSet(pairs)
    }

    /// MAML: logits `[N, ways]`; ProtoNet: embeddings `[N, filters]` (its "logits" for the benchmark).
    func logits(_ p: ParameterSet, _ x: Tensor) -> Tensor {
        var h = x
        for layer in 0..<4 {
            h = conv2d(h, weight: p["conv\(layer).weight"]!, bias: p["conv\(layer).bias"]!,
                       stride: kind == .maml ? 2 : 1, padding: 1)
            h = batchNormReLU(h, scale: p["bn\(layer).scale"]!, offset: p["bn\(layer).offset"]!, maxPool: kind == .protoNet)
        }
        if kind == .maml {
            return h.mean(axes: [2, 3]).matmul(p["head.weight"]!) + p["head.bias"]!
        }
        return h.flattened().slice(axis: 1, range: 0..<Swift.min(ways, filters))
    }

    /// Multiply-add FLOPs of the convolutions and the head for a batch.
    func forwardFlops(images n: Int) -> Double {
        var size = 28, inChannels = 1, total = 0.0
        for _ in 0..<4 {
            let out = kind == .maml ? (size + 2 - 3) / 2 + 1 : size
            total += 2 * Double(n * filters * out * out * inChannels * 9)
            size = kind == .maml ? out : out / 2
            inChannels = filters
        }
        if kind == .maml { total += 2 * Double(n * filters * ways) }
        return total
    }
}
