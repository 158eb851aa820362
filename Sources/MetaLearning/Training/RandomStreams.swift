import Autograd

/// The random streams of a run, all derived from one seed so that every
/// random choice is a pure function of `(seed, purpose, index)`:
///
/// - task sampling: `TaskDistribution.task(at: i, seed: seed)` (samplers use
///   `SeededGenerator(seed: seed, stream: UInt64(i))`);
/// - the learner's own randomness for task `i` (dropout, random head init,
///   ...): `learner(task: i)`, a stream of a seed derived from `seed`, so it
///   never coincides with the sampling stream of the same index;
/// - parameter initialisation: `initialization`.
public struct RandomStreams: Sendable, Equatable {
    /// The run's seed.
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// The generator for the initial parameters.
    public var initialization: SeededGenerator { SeededGenerator(seed: seed, stream: .max) }

    /// The learner's generator for task `index`.
    public func learner(task index: Int) -> SeededGenerator {
        var derive = SeededGenerator(seed: seed, stream: .max - 1)
        return SeededGenerator(seed: derive.next(), stream: UInt64(truncatingIfNeeded: index))
    }

    /// The saved form of the seed: `SeededGenerator(seed: seed).state`, what
    /// a checkpoint's `rngState` holds.
    public var checkpointState: [UInt64] { SeededGenerator(seed: seed).state }

    /// Recovers the seed from `checkpointState` (SplitMix64 seeding is a
    /// bijection, so it can be inverted); `nil` if `state` is not the state
    /// of any freshly seeded generator.
    public init?(checkpointState state: [UInt64]) {
        guard state.count == 4 else { return nil }
        let seed = Self.unmix(state[0]) &- 0x9E37_79B9_7F4A_7C15
        guard SeededGenerator(seed: seed).state == state else { return nil }
        self.seed = seed
    }

    /// The inverse of SplitMix64's output function.
    private static func unmix(_ value: UInt64) -> UInt64 {
        var z = unshift(value, 31)
        z = z &* inverse(0x94D0_49BB_1331_11EB)
        z = unshift(z, 27)
        z = z &* inverse(0xBF58_476D_1CE4_E5B9)
        return unshift(z, 30)
    }

    /// The inverse of `z ^ (z >> k)`.
    private static func unshift(_ y: UInt64, _ k: UInt64) -> UInt64 {
        var z = y
        for _ in 0..<(64 / Int(k) + 1) { z = y ^ (z >> k) }
        return z
    }

    /// The multiplicative inverse of an odd number modulo 2^64 (Newton's iteration).
    private static func inverse(_ a: UInt64) -> UInt64 {
        var x = a
        for _ in 0..<6 { x = x &* (2 &- a &* x) }
        return x
    }
}
