import Autograd
import Foundation
import MetaLearning

/// Sinusoid regression tasks of the MAML paper (Finn, Abbeel & Levine 2017,
/// Section 5.1): each task is `y = A·sin(x − φ)` with amplitude
/// `A ~ U[0.1, 5]` and phase `φ ~ U[0, π]`; inputs `x ~ U[−5, 5]`;
/// `shots` support points and `queries` query points.
///
/// Task `index` of `seed` is generated from `SeededGenerator(seed: seed, stream: UInt64(index))`
/// (amplitude, phase, then support and query inputs), so nothing is stored.
/// Inputs and targets are `[S, 1]`.
///
/// ```swift
/// let tasks = try SinusoidTasks(shots: 10, queries: 10)
/// let task = try tasks.task(at: 0, seed: 1)          // supportInputs [10, 1]
/// let (a, phi) = tasks.function(at: 0, seed: 1)      // the task's sinusoid
/// ```
public struct SinusoidTasks: TaskDistribution {
    /// Support points per task (`K` in the paper).
    public let shots: Int
    /// Query points per task.
    public let queries: Int
    /// Range of amplitudes.
    public let amplitudeRange: ClosedRange<Double>
    /// Range of phases.
    public let phaseRange: ClosedRange<Double>
    /// Range of inputs.
    public let inputRange: ClosedRange<Double>

    /// The paper's setting by default; throws `SamplerError.invalidConfiguration`
    /// for fewer than one support point or negative queries.
    public init(shots: Int = 10, queries: Int = 10, amplitudeRange: ClosedRange<Double> = 0.1...5,
                phaseRange: ClosedRange<Double> = 0...Double.pi, inputRange: ClosedRange<Double> = -5...5) throws {
        guard shots >= 1, queries >= 1 else {
            throw SamplerError.invalidConfiguration(
                "sinusoid tasks need shots >= 1 and queries >= 1, got shots \(shots), queries \(queries)")
        }
        self.shots = shots
        self.queries = queries
        self.amplitudeRange = amplitudeRange
        self.phaseRange = phaseRange
        self.inputRange = inputRange
    }

    public var problem: ProblemSpec { .regression(inputDimension: 1, outputDimension: 1) }

    private func uniform(_ range: ClosedRange<Double>, _ rng: inout SeededGenerator) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * rng.nextUnitDouble()
    }

    /// Amplitude and phase of task `index` of `seed`.
    public func function(at index: Int, seed: UInt64) -> (amplitude: Double, phase: Double) {
        var rng = SeededGenerator(seed: seed, stream: UInt64(truncatingIfNeeded: index))
        let amplitude = uniform(amplitudeRange, &rng)
        return (amplitude, uniform(phaseRange, &rng))
    }

    public func task(at index: Int, seed: UInt64) throws -> TaskData {
        var rng = SeededGenerator(seed: seed, stream: UInt64(truncatingIfNeeded: index))
        let amplitude = uniform(amplitudeRange, &rng)
        let phase = uniform(phaseRange, &rng)
        func points(_ n: Int) -> (Tensor, Tensor) {
            var xs = [Float](), ys = [Float]()
            for _ in 0..<n {
                let x = uniform(inputRange, &rng)
                xs.append(Float(x))
                ys.append(Float(amplitude * sin(x - phase)))
            }
            return (Tensor(shape: [n, 1], scalars: xs), Tensor(shape: [n, 1], scalars: ys))
        }
        let (sx, sy) = points(shots)
        let (qx, qy) = points(queries)
        return try TaskData(supportInputs: sx, supportValues: sy, queryInputs: qx, queryValues: qy)
    }
}
