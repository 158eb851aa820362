/// A bad option: unknown name, a value of the wrong type, or a type mismatch
/// between the declaration and the accessor used. The message names the
/// owner (such as `algorithm 'maml'`), the option and what was expected.
public enum OptionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The user gave an option the owner does not declare.
    case unknown(owner: String, name: String, known: [String])
    /// The value does not parse as the declared kind.
    case invalidValue(owner: String, name: String, value: String, expected: OptionSpec.Kind)
    /// Code asked for an option with an accessor of another kind than declared.
    case kindMismatch(owner: String, name: String, declared: OptionSpec.Kind, requested: OptionSpec.Kind)
    /// The same option was declared twice.
    case duplicateDeclaration(owner: String, name: String)
    /// An option name is not lower-case letters, digits, `-`, `_`.
    case invalidName(owner: String, name: String)
    /// A declaration's default value does not parse as its kind.
    case invalidDefault(owner: String, name: String, value: String, expected: OptionSpec.Kind)
    /// A command-line assignment is not of the form `name=value`.
    case malformedAssignment(owner: String, text: String)

    public var description: String {
        switch self {
        case .unknown(let owner, let name, let known):
            let list = known.isEmpty ? "it takes no options" : "known options: \(known.joined(separator: ", "))"
            return "\(owner): unknown option '\(name)' (\(list))"
        case .invalidValue(let owner, let name, let value, let expected):
            return "\(owner): option '\(name)' expects \(Self.article(expected)), got '\(value)'"
        case .kindMismatch(let owner, let name, let declared, let requested):
            return "\(owner): option '\(name)' is declared as \(declared) but was read as \(requested)"
        case .duplicateDeclaration(let owner, let name):
            return "\(owner): option '\(name)' is declared twice"
        case .invalidName(let owner, let name):
            return "\(owner): '\(name)' is not a valid option name (lower-case letters, digits, '-', '_')"
        case .invalidDefault(let owner, let name, let value, let expected):
            return "\(owner): default '\(value)' of option '\(name)' is not \(Self.article(expected))"
        case .malformedAssignment(let owner, let text):
            return "\(owner): expected an option as name=value, got '\(text)'"
        }
    }

    private static func article(_ kind: OptionSpec.Kind) -> String {
        switch kind {
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "a Boolean (true/false)"
        case .string: return "a string"
        }
    }
}
