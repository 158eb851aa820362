import RealModule

/// A seeded, reproducible random number generator (xoshiro256**, Blackman &
/// Vigna 2018) whose whole state is a value that can be checkpointed.
///
/// MetaLearn never uses global randomness: every random choice takes an
/// explicit generator, so the same seed gives bit-identical results.
///
/// ```swift
/// var rng = SeededGenerator(seed: 42)
/// let x = Int.random(in: 0..<10, using: &rng)
/// let saved = rng.state            // store in a checkpoint
/// var again = SeededGenerator(state: saved)
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable, Hashable {
    /// The four 64-bit words of xoshiro256** state.
    public private(set) var state: [UInt64]

    /// Seeds the state by running SplitMix64 from `seed`, as the authors recommend.
    public init(seed: UInt64) {
        var s = seed
        var words = [UInt64]()
        words.reserveCapacity(4)
        for _ in 0..<4 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            words.append(z ^ (z >> 31))
        }
        state = words
    }

    /// Restores a generator from a saved `state` (four words, not all zero).
    public init(state: [UInt64]) {
        precondition(state.count == 4 && state.contains { $0 != 0 },
                     "SeededGenerator state must be four words, not all zero")
        self.state = state
    }

    /// A generator derived from this seed and a stream identifier, independent
    /// of the generator's current position. Used to give each episode, task or
    /// worker its own stream: `SeededGenerator(seed: s, stream: i)`.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SeededGenerator(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        _ = mixer.next()
        self = mixer
    }

    @inlinable
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = Self.rotl(state[3], 45)
        return result
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A standard normal sample (Box-Muller; deterministic for a given state).
    public mutating func nextNormal() -> Double {
        var u1 = nextUnitDouble()
        while u1 <= .leastNormalMagnitude { u1 = nextUnitDouble() }
        let u2 = nextUnitDouble()
        return (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
    }
}

