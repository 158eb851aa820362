import Foundation

/// How the meta learning rate changes over meta-training: a pure function of
/// the step (optax's schedules), so a resumed run gets exactly the rates of an
/// uninterrupted one.
///
/// - `constant`: the optimizer's rate at every step.
/// - `cosine(horizon:)`: cosine decay from the rate to 0 over `horizon` steps,
///   `rate · ½(1 + cos(π · min(t, horizon) / horizon))` at step `t` (Loshchilov
///   & Hutter 2017, SGDR, without restarts); 0 after the horizon.
/// - `linear(horizon:)`: linear decay from the rate to 0 over `horizon` steps,
///   `rate · (1 − min(t, horizon) / horizon)`, as Nichol et al. 2018 (Reptile)
///   anneal the meta step size.
/// - `step(every:factor:)`: `rate · factor^⌊t / every⌋`, as Snell et al. 2017
///   (Prototypical Networks) halve the rate every 2000 episodes.
///
/// Text form (CLI `--meta-lr-schedule`, stored in checkpoints): `constant`,
/// `cosine:HORIZON`, `linear:HORIZON`, `step:EVERY:FACTOR`; `cosine` and `linear`
/// alone take the run's step count as their horizon when parsed with `defaultHorizon`.
///
/// ```swift
/// let schedule = try LearningRateSchedule(parsing: "step:2000:0.5", defaultHorizon: 10_000)
/// schedule.multiplier(atStep: 4_000)   // 0.25
/// let trainer = try MetaTrainer(learner: protonet, optimizer: Adam(learningRate: 1e-3), tasks: train,
///                               configuration: .init(metaBatchSize: 1, seed: 1, learningRateSchedule: schedule))
/// ```
public enum LearningRateSchedule: Sendable, Equatable, CustomStringConvertible {
    case constant
    case cosine(horizon: Int)
    case linear(horizon: Int)
    case step(every: Int, factor: Double)

    /// The factor on the optimizer's learning rate for the update made at
    /// `step` (0-based: the first update is step 0).
    public func multiplier(atStep step: Int) -> Double {
        switch self {
        case .constant:
            return 1
        case .cosine(let horizon):
            let t = Double(min(max(step, 0), horizon)) / Double(horizon)
            return 0.5 * (1 + cos(Double.pi * t))
        case .linear(let horizon):
            return 1 - Double(min(max(step, 0), horizon)) / Double(horizon)
        case .step(let every, let factor):
            return pow(factor, Double(max(step, 0) / every))
        }
    }

    /// The text form, which `init(parsing:defaultHorizon:)` reads back.
    public var description: String {
        switch self {
        case .constant: return "constant"
        case .cosine(let horizon): return "cosine:\(horizon)"
        case .linear(let horizon): return "linear:\(horizon)"
        case .step(let every, let factor): return "step:\(every):\(factor)"
        }
    }

    /// Throws `TrainingError.invalidConfiguration` unless the horizon and
    /// period are at least 1 and the factor is in (0, 1].
    public func check() throws {
        switch self {
        case .constant:
            return
        case .cosine(let horizon), .linear(let horizon):
            guard horizon >= 1 else { throw TrainingError.invalidConfiguration("\(self) schedule: horizon \(horizon) < 1") }
        case .step(let every, let factor):
            guard every >= 1, factor.isFinite, factor > 0, factor <= 1 else {
                throw TrainingError.invalidConfiguration(
                    "step schedule: every \(every) must be >= 1 and factor \(factor) in (0, 1]")
            }
        }
    }

    /// Parses the text form; `defaultHorizon` is the horizon of a bare
    /// `cosine`. Throws `TrainingError.invalidConfiguration` naming the
    /// accepted forms for anything else.
    public init(parsing text: String, defaultHorizon: Int? = nil) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let expected = "expected constant, cosine[:HORIZON], linear[:HORIZON] or step:EVERY:FACTOR (e.g. step:2000:0.5)"
        func bad(_ why: String) -> TrainingError {
            .invalidConfiguration("learning-rate schedule '\(text)': \(why); \(expected)")
        }
        let schedule: LearningRateSchedule
        switch parts[0] {
        case "constant" where parts.count == 1:
            schedule = .constant
        case "cosine" where parts.count <= 2, "linear" where parts.count <= 2:
            guard let horizon = parts.count == 2 ? Int(parts[1]) : defaultHorizon else {
                throw bad(parts.count == 2 ? "the horizon is not an integer" : "no horizon given")
            }
            schedule = parts[0] == "cosine" ? .cosine(horizon: horizon) : .linear(horizon: horizon)
        case "step" where parts.count == 3:
            guard let every = Int(parts[1]), let factor = Double(parts[2]) else { throw bad("EVERY or FACTOR is not a number") }
            schedule = .step(every: every, factor: factor)
        default:
            throw bad("unknown form")
        }
        do { try schedule.check() } catch TrainingError.invalidConfiguration(let why) { throw bad(why) }
        self = schedule
    }
}
