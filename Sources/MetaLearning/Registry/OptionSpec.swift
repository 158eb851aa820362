/// The declaration of one option of an algorithm or dataset plugin: its name,
/// value type, default and a one-line help text.
///
/// Option names are lower-case words joined by dashes (`"inner-steps"`), the
/// same spelling the command line uses (`--option inner-steps=5`).
///
/// ```swift
/// let specs: [OptionSpec] = [
///     .int("inner-steps", default: 5, help: "gradient steps on the support set"),
///     .double("inner-lr", default: 0.4, help: "inner-loop learning rate"),
///     .bool("first-order", default: false, help: "drop second-order terms"),
/// ]
/// ```
public struct OptionSpec: Sendable, Equatable, Hashable {
    /// The kind of value an option holds; `Options` parses and checks values by it.
    public enum Kind: String, Sendable, Equatable, Hashable, CaseIterable {
        case int, double, bool, string
    }

    /// The option's name, such as `"inner-steps"`.
    public var name: String
    /// The value type.
    public var kind: Kind
    /// The default value, written as the user would write it (`"5"`, `"0.4"`, `"true"`).
    public var defaultValue: String
    /// One line for listings and `--help`.
    public var help: String

    /// Declares an option; prefer the typed constructors `.int`, `.double`, `.bool`, `.string`.
    public init(name: String, kind: Kind, defaultValue: String, help: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
    }

    /// An integer option.
    public static func int(_ name: String, default value: Int, help: String) -> OptionSpec {
        OptionSpec(name: name, kind: .int, defaultValue: String(value), help: help)
    }

    /// A floating-point option.
    public static func double(_ name: String, default value: Double, help: String) -> OptionSpec {
        OptionSpec(name: name, kind: .double, defaultValue: String(value), help: help)
    }

    /// A Boolean option (`true`/`false`, `yes`/`no`, `1`/`0`).
    public static func bool(_ name: String, default value: Bool, help: String) -> OptionSpec {
        OptionSpec(name: name, kind: .bool, defaultValue: value ? "true" : "false", help: help)
    }

    /// A free-form string option (paths, names).
    public static func string(_ name: String, default value: String, help: String) -> OptionSpec {
        OptionSpec(name: name, kind: .string, defaultValue: value, help: help)
    }

    /// Whether `name` is a valid option or plugin name: non-empty, lower-case
    /// ASCII letters, digits, `-` and `_`, starting with a letter.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
    }
}
