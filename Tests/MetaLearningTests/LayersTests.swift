import Autograd
import Layers
import MetaLearning
import Testing

@Suite struct LayersTests {
    @Test func mamlConv4WithFiveWayHeadHas112261Parameters() throws {
        let net = Network(backbone: Conv4(variant: .maml, inputChannels: 1), head: Linear(inputs: 64, outputs: 5))
        var rng = SeededGenerator(seed: 0)
        let p = net.initialParameters(using: &rng)
        #expect(p.parameterCount == 112_261)
        #expect(p.names == net.parameterNames)
        #expect(Array(p.names.prefix(4)) == ["conv1.weight", "conv1.bias", "bn1.scale", "bn1.offset"])
        #expect(Array(p.names.suffix(2)) == ["head.weight", "head.bias"])
        #expect(p["conv1.weight"]!.shape == [64, 1, 3, 3] && p["conv2.weight"]!.shape == [64, 64, 3, 3])
        #expect(p["head.weight"]!.shape == [5, 64])
        #expect(p["bn3.scale"]!.scalars.allSatisfy { $0 == 1 } && p["bn3.offset"]!.scalars.allSatisfy { $0 == 0 })
        let arch = try NetworkArchitecture(option: "auto").network(
            for: .classification(ways: 5, channels: 1, height: 28, width: 28, trainingClasses: 10))
        var rng2 = SeededGenerator(seed: 0)
        #expect(arch.initialParameters(using: &rng2).parameterCount == 112_261)
    }

    @Test func conv4OutputShapes() {
        var rng = SeededGenerator(seed: 1)
        let x = Tensor.randomUniform(shape: [2, 1, 28, 28], low: 0, high: 1, using: &rng)
        let maml = Conv4(variant: .maml, inputChannels: 1)
        let proto = Conv4(variant: .protoNet, inputChannels: 1)
        #expect(maml.apply(x, parameters: maml.initialParameters(using: &rng)).shape == [2, 64])
        #expect(proto.apply(x, parameters: proto.initialParameters(using: &rng)).shape == [2, 64])
        #expect(proto.outputDimension(height: 84, width: 84) == 1600)
        #expect(maml.outputDimension(height: 84, width: 84) == 64)
    }

    /// `conv4-reptile` (Nichol et al. 2018): the `.maml` blocks with the
    /// last 64x2x2 map flattened (channel-major) instead of averaged, so the
    /// mean of its four values per channel is the `.maml` embedding.
    @Test func reptileConv4FlattensTheStridedMaps() throws {
        var rng = SeededGenerator(seed: 5)
        let x = Tensor.randomUniform(shape: [3, 1, 28, 28], low: 0, high: 1, using: &rng)
        let reptile = Conv4(variant: .reptile, inputChannels: 1)
        let p = reptile.initialParameters(using: &rng)
        let flat = reptile.apply(x, parameters: p)
        #expect(flat.shape == [3, 256] && reptile.outputDimension(height: 28, width: 28) == 256)
        #expect(reptile.outputDimension(height: 84, width: 84) == 64 * 6 * 6)
        #expect(reptile.outputDimension(height: 29, width: 16) == 64 * 2 * 1)
        #expect(reptile.apply(Tensor.randomUniform(shape: [2, 1, 29, 16], low: 0, high: 1, using: &rng),
                              parameters: p).shape == [2, 128])
        let mean = Conv4(variant: .maml, inputChannels: 1).apply(x, parameters: p).scalars
        let grouped = flat.reshaped([3, 64, 4]).mean(axes: [2]).scalars
        #expect(zip(mean, grouped).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($0)) })
        let net = try NetworkArchitecture(option: "conv4-reptile").network(
            for: .classification(ways: 5, channels: 1, height: 28, width: 28, trainingClasses: 10))
        var rng2 = SeededGenerator(seed: 0)
        #expect(net.initialParameters(using: &rng2).parameterCount == 112_261 - 64 * 5 + 256 * 5)
    }

    /// The stride-2 variants run channels-last by default and `.protoNet` channels-first;
    /// both layouts give the same embedding and the same first- and second-order
    /// gradients (one MAML inner step, then the query loss) up to rounding, on one- and
    /// three-channel images.
    @Test(arguments: [(Conv4.Variant.maml, 1), (.reptile, 1), (.maml, 3)])
    func conv4LayoutsAgree(_ variant: Conv4.Variant, _ channels: Int) {
        #expect(Conv4(variant: variant, inputChannels: channels).layout == .channelsLast)
        #expect(Conv4(variant: .protoNet, inputChannels: channels).layout == .channelsFirst)
        var rng = SeededGenerator(seed: 11)
        let first = Conv4(variant: variant, inputChannels: channels, layout: .channelsFirst)
        let last = Conv4(variant: variant, inputChannels: channels, layout: .channelsLast)
        let params = first.initialParameters(using: &rng)
        let support = Tensor.randomUniform(shape: [5, channels, 28, 28], low: 0, high: 1, using: &rng)
        let query = Tensor.randomUniform(shape: [10, channels, 28, 28], low: 0, high: 1, using: &rng)
        let dim = first.outputDimension(height: 28, width: 28)
        let r1 = Tensor.randomNormal(shape: [5, dim], using: &rng), r2 = Tensor.randomNormal(shape: [10, dim], using: &rng)
        func run(_ net: Conv4) -> [[Float]] {
            let leaves = ParameterSet(params.names.map { ($0, params[$0]!.detached().requiringGradient()) })
            let inner = (net.apply(support, parameters: leaves).tanh() * r1).sum()
            let g = gradients(of: inner, with: params.names.map { leaves[$0]! }, createGraph: true)
            let adapted = ParameterSet(zip(params.names, g).map { ($0, leaves[$0]! - $1 * 0.4) })
            let embedding = net.apply(query, parameters: adapted)
            let meta = gradients(of: (embedding.tanh() * r2).sum(), with: params.names.map { leaves[$0]! })
            return [embedding.scalars] + g.map(\.scalars) + meta.map(\.scalars)
        }
        let a = run(last), b = run(first)
        // Batch norm right after each convolution cancels its bias: those gradients are
        // zero up to rounding in both layouts, so they are checked against the largest
        // gradient of the same pass instead of their own size.
        let biases = Set((1...Conv4.blocks).map { "conv\($0).bias" })
        for (i, (x, y)) in zip(a, b).enumerated() where i > 0 {
            let name = params.names[(i - 1) % params.names.count]
            guard biases.contains(name) else { continue }
            let pass = i <= params.names.count ? b[1...params.names.count] : b[(params.names.count + 1)...]
            let largest = pass.flatMap { $0 }.map { abs($0) }.max()!
            #expect(zip(x, y).allSatisfy { abs($0) <= 1e-4 * largest && abs($1) <= 1e-4 * largest }, "\(name)")
        }
        for (i, (x, y)) in zip(a, b).enumerated() where i == 0 || !biases.contains(params.names[(i - 1) % params.names.count]) {
            let scale = max(y.map { abs($0) }.max() ?? 0, 1e-6)
            let error = zip(x, y).map { abs($0 - $1) }.max()! / scale
            let what = i == 0 ? "embedding" : i <= params.names.count ? "inner gradient \(params.names[i - 1])"
                : "meta-gradient \(params.names[i - 1 - params.names.count])"
            #expect(error < 2e-4, "\(what): relative error \(error)")
        }
    }

    @Test func initialisationMatchesPyTorchBounds() {
        var rng = SeededGenerator(seed: 2)
        let p = Linear(inputs: 100, outputs: 50).initialParameters(using: &rng)
        let w = p["head.weight"]!.scalars, b = p["head.bias"]!.scalars
        #expect(w.allSatisfy { abs($0) <= 0.1 } && b.allSatisfy { abs($0) <= 0.1 })
        // Uniform on ±0.1 has standard deviation 0.1/√3 ≈ 0.0577.
        let std = (w.map { Double($0 * $0) }.reduce(0, +) / Double(w.count)).squareRoot()
        #expect(abs(std - 0.0577) < 0.003)
        var again = SeededGenerator(seed: 2)
        #expect(Linear(inputs: 100, outputs: 50).initialParameters(using: &again).flatValues == p.flatValues)
        var rng3 = SeededGenerator(seed: 3)
        let conv = Conv4(variant: .maml, inputChannels: 3).initialParameters(using: &rng3)
        #expect(conv["conv1.weight"]!.scalars.allSatisfy { abs($0) <= 1 / Float(27).squareRoot() })
        #expect(conv["conv2.bias"]!.scalars.allSatisfy { abs($0) <= 1 / Float(576).squareRoot() })
    }

    @Test func mlpAndNetworkSplit() throws {
        let net = try NetworkArchitecture.auto.network(for: .regression(inputDimension: 1, outputDimension: 1))
        var rng = SeededGenerator(seed: 4)
        let p = net.initialParameters(using: &rng)
        #expect(p.names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "head.weight", "head.bias"])
        #expect(p.parameterCount == 1 * 40 + 40 + 40 * 40 + 40 + 40 + 1)
        let x = Tensor(shape: [3, 1], scalars: [-1, 0, 1])
        #expect(net.apply(x, parameters: p).shape == [3, 1])
        #expect(net.embed(x, parameters: p).scalars.allSatisfy { $0 >= 0 })
        let (body, head) = net.split(p)
        #expect(head.names == ["head.weight", "head.bias"] && body.count == 4)
        #expect(net.merge(body: body, head: head).flatValues == p.flatValues)
        // The MLP computes relu(x W1ᵀ + b1) ... by hand for one layer.
        let layer = Linear(inputs: 2, outputs: 1, name: "l")
        let lp = ParameterSet([("l.weight", Tensor(shape: [1, 2], scalars: [2, -1])), ("l.bias", Tensor(shape: [1], scalars: [0.5]))])
        #expect(layer.apply(Tensor(shape: [1, 2], scalars: [3, 4]), parameters: lp).scalars == [2.5])
        #expect(throws: OptionError.self) { try NetworkArchitecture(option: "resnet") }
        #expect(throws: NetworkArchitectureError.unsupportedProblem(backbone: "conv4-maml", problem: .regression)) {
            try NetworkArchitecture.conv4MAML.network(for: .regression(inputDimension: 1, outputDimension: 1))
        }
    }

    /// Max pooling rounds down, so `conv4-protonet` (four poolings) needs 16x16 images; the
    /// stride-2 backbones round up and keep a 1x1 map. The error names the backbone and the shape.
    @Test func networkForImagesTooSmallForTheBackbone() throws {
        let small = ProblemSpec.classification(ways: 5, channels: 1, height: 15, width: 16, trainingClasses: 5)
        let expected = NetworkArchitectureError.inputTooSmall(backbone: "conv4-protonet", inputShape: [1, 15, 16])
        #expect(throws: expected) { try NetworkArchitecture.conv4ProtoNet.network(for: small) }
        #expect("\(expected)".contains("'conv4-protonet'") && "\(expected)".contains("[1, 15, 16]")
                && "\(expected)".contains("16x16"))
        let enough = ProblemSpec.classification(ways: 5, channels: 1, height: 16, width: 16, trainingClasses: 5)
        #expect(try NetworkArchitecture.conv4ProtoNet.network(for: enough).head.inputs == 64)
        for architecture in [NetworkArchitecture.auto, .conv4MAML, .conv4MAMLTF, .conv4Reptile] {
            let tiny = ProblemSpec.classification(ways: 5, channels: 1, height: 2, width: 2, trainingClasses: 5)
            #expect(try architecture.network(for: tiny).head.inputs > 0, "\(architecture)")
        }
    }
}
