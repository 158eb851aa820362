import Autograd

/// Small image-shaped classification tasks generated from fixed class
/// prototypes plus Gaussian noise: a stand-in for Omniglot that needs no
/// files, for algorithm tests that must show learning within seconds.
///
/// Classes differ only along a few fixed directions of pixel space: there
/// are `latentDimension` basis images `b_j` (entries `N(0, 1/√D)`, `D = C·H·W`,
/// from `SeededGenerator(seed: prototypeSeed, stream: .max)`), and class `c`
/// (a global id in `classes`) has the prototype `0.5 + Σ_j z_cj · b_j` with
/// `z_c ~ N(0, 1)` drawn from `SeededGenerator(seed: prototypeSeed, stream: UInt64(c))`.
/// A sample is `prototype + noise · N(0, 1)` per pixel. Because the noise
/// is isotropic but the class signal lives in a `latentDimension`-dimensional
/// subspace, a learner that discovers that subspace across tasks (which is
/// what meta-learning does) removes most of the noise: 1-shot accuracy of
/// nearest-prototype classification rises well above what it is on raw
/// pixels. Prototypes depend only on `(prototypeSeed, c)`, so disjoint class
/// ranges with the same `prototypeSeed` give a train/test split of one
/// "dataset".
///
/// Task `index` of `seed` (generator `SeededGenerator(seed: seed, stream: UInt64(index))`)
/// draws `ways` distinct classes of the range in random order, then `shots`
/// support and `queries` query samples per class. Sets are class-major,
/// like `EpisodeSampler`'s.
///
/// ```swift
/// let train = try SyntheticImageTasks(classes: 0..<20, ways: 5, shots: 1, queries: 5)
/// let test = try SyntheticImageTasks(classes: 20..<30, ways: 5, shots: 1, queries: 5)
/// ```
public struct SyntheticImageTasks: TaskDistribution {
    /// Global class ids tasks draw from.
    public let classes: Range<Int>
    public let ways: Int
    public let shots: Int
    public let queries: Int
    public let channels: Int
    public let height: Int
    public let width: Int
    /// Standard deviation of the per-pixel noise.
    public let noise: Float
    /// The number of directions along which classes differ.
    public let latentDimension: Int
    /// Seed of the class prototypes.
    public let prototypeSeed: UInt64

    /// Throws `SamplerError.invalidConfiguration` for an empty shape, fewer
    /// classes than `ways`, or a negative noise level.
    public init(classes: Range<Int> = 0..<20, ways: Int = 5, shots: Int = 1, queries: Int = 5,
                channels: Int = 1, height: Int = 8, width: Int = 8, noise: Float = 0.5,
                latentDimension: Int = 8, prototypeSeed: UInt64 = 0) throws {
        guard classes.lowerBound >= 0, classes.count >= ways, ways >= 1, shots >= 1, queries >= 0,
              channels >= 1, height >= 1, width >= 1, noise >= 0, latentDimension >= 1 else {
            throw SamplerError.invalidConfiguration(
                "synthetic tasks need classes >= ways >= 1, shots >= 1, queries >= 0, a positive image shape "
                + "noise >= 0 and latentDimension >= 1; got classes \(classes), ways \(ways), shots \(shots), queries \(queries), "
                + "shape \(channels)x\(height)x\(width), noise \(noise)")
        }
        self.classes = classes
        self.ways = ways
        self.shots = shots
        self.queries = queries
        self.channels = channels
        self.height = height
        self.width = width
        self.noise = noise
        self.latentDimension = latentDimension
        self.prototypeSeed = prototypeSeed
    }

    public var problem: ProblemSpec {
        .classification(ways: ways, channels: channels, height: height, width: width,
                        trainingClasses: classes.upperBound)
    }

    /// The basis images, `latentDimension` arrays of `channels * height * width` values.
    public var basis: [[Float]] {
        let size = channels * height * width
        var rng = SeededGenerator(seed: prototypeSeed, stream: .max)
        let scale = 1 / Double(size).squareRoot()
        return (0..<latentDimension).map { _ in (0..<size).map { _ in Float(rng.nextNormal() * scale) } }
    }

    /// The prototype of global class `c`, `channels * height * width` values.
    public func prototype(ofClass c: Int) -> [Float] {
        prototype(ofClass: c, basis: basis)
    }

    private func prototype(ofClass c: Int, basis: [[Float]]) -> [Float] {
        var rng = SeededGenerator(seed: prototypeSeed, stream: UInt64(c))
        var image = [Float](repeating: 0.5, count: channels * height * width)
        for direction in basis {
            let z = Float(rng.nextNormal())
            for k in 0..<image.count { image[k] += z * direction[k] }
        }
        return image
    }

    public func task(at index: Int, seed: UInt64) throws -> TaskData {
        var rng = SeededGenerator(seed: seed, stream: UInt64(truncatingIfNeeded: index))
        let picked = RandomChoice.choose(ways, from: Array(classes), using: &rng)
        let basis = self.basis
        let size = channels * height * width
        var support = [Float](), query = [Float]()
        support.reserveCapacity(ways * shots * size)
        query.reserveCapacity(ways * queries * size)
        var supportLabels = [Int32](), queryLabels = [Int32]()
        for (label, c) in picked.enumerated() {
            let proto = prototype(ofClass: c, basis: basis)
            for sample in 0..<(shots + queries) {
                let image = proto.map { $0 + noise * Float(rng.nextNormal()) }
                if sample < shots {
                    support += image
                    supportLabels.append(Int32(label))
                } else {
                    query += image
                    queryLabels.append(Int32(label))
                }
            }
        }
        let imageShape = [channels, height, width]
        return try TaskData(supportInputs: Tensor(shape: [ways * shots] + imageShape, scalars: support),
                            supportTargets: .classes(supportLabels),
                            queryInputs: Tensor(shape: [ways * queries] + imageShape, scalars: query),
                            queryTargets: .classes(queryLabels),
                            ways: ways, classes: picked.map { Int32($0) })
    }
}
