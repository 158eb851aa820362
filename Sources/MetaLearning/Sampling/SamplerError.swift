/// A sampler that cannot be built for a dataset: unknown split, too few
/// classes or samples, or a nonsensical configuration.
public enum SamplerError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownSplit(dataset: String, split: String, available: [String])
    case tooFewClasses(dataset: String, split: String, needed: Int, available: Int)
    case tooFewSamples(dataset: String, className: String, needed: Int, available: Int)
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .unknownSplit(let d, let s, let available):
            return "dataset '\(d)': no split '\(s)' (available: \(available.sorted().joined(separator: ", ")))"
        case .tooFewClasses(let d, let s, let n, let a):
            return "dataset '\(d)', split '\(s)': episodes need \(n) classes, the split has \(a)"
        case .tooFewSamples(let d, let c, let n, let a):
            return "dataset '\(d)': class '\(c)' has \(a) samples, episodes need \(n) per class"
        case .invalidConfiguration(let m):
            return "sampler: \(m)"
        }
    }
}
