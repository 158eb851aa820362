/// The option values of one plugin instance: user-given values checked
/// against the plugin's `OptionSpec`s, with declared defaults for the rest.
///
/// Construction rejects unknown names and values that do not parse, so a
/// factory only fails on semantic checks (such as a negative step count).
/// Typed accessors return the user's value or the default:
///
/// ```swift
/// let options = try Options(owner: "algorithm 'maml'", specs: specs,
///                           values: ["inner-steps": "1"])
/// let steps = try options.int("inner-steps")      // 1
/// let lr = try options.double("inner-lr")         // the default, 0.4
/// ```
public struct Options: Sendable, Equatable {
    /// Who owns these options, for error messages (`"algorithm 'maml'"`).
    public let owner: String
    /// The declarations, in declaration order.
    public let specs: [OptionSpec]
    /// The values the user gave explicitly, by name.
    public let explicitValues: [String: String]

    /// Checks `values` against `specs`; throws `OptionError` for an unknown
    /// name, a value that does not parse as its declared kind, or a bad
    /// declaration (duplicate, invalid name or default).
    public init(owner: String, specs: [OptionSpec], values: [String: String] = [:]) throws {
        var seen = Set<String>()
        for spec in specs {
            guard OptionSpec.isValidName(spec.name) else { throw OptionError.invalidName(owner: owner, name: spec.name) }
            guard seen.insert(spec.name).inserted else {
                throw OptionError.duplicateDeclaration(owner: owner, name: spec.name)
            }
            guard Self.parses(spec.defaultValue, as: spec.kind) else {
                throw OptionError.invalidDefault(owner: owner, name: spec.name, value: spec.defaultValue,
                                                 expected: spec.kind)
            }
        }
        for name in values.keys.sorted() {
            guard let spec = specs.first(where: { $0.name == name }) else {
                throw OptionError.unknown(owner: owner, name: name, known: specs.map(\.name))
            }
            let value = values[name]!
            guard Self.parses(value, as: spec.kind) else {
                throw OptionError.invalidValue(owner: owner, name: name, value: value, expected: spec.kind)
            }
        }
        self.owner = owner
        self.specs = specs
        self.explicitValues = values
    }

    /// Parses command-line assignments such as `["inner-steps=5", "first-order"]`
    /// (a bare name means `true`) into a dictionary; a later assignment of the
    /// same name wins.
    public static func parseAssignments(_ assignments: [String], owner: String) throws -> [String: String] {
        var values: [String: String] = [:]
        for text in assignments {
            if let eq = text.firstIndex(of: "=") {
                let name = String(text[..<eq]).trimmingSpaces()
                guard !name.isEmpty else { throw OptionError.malformedAssignment(owner: owner, text: text) }
                values[name] = String(text[text.index(after: eq)...]).trimmingSpaces()
            } else {
                let name = text.trimmingSpaces()
                guard !name.isEmpty else { throw OptionError.malformedAssignment(owner: owner, text: text) }
                values[name] = "true"
            }
        }
        return values
    }

    /// The effective value of every declared option (explicit or default), in
    /// declaration order: what a run configuration records.
    public var resolved: [(name: String, value: String)] {
        specs.map { ($0.name, explicitValues[$0.name] ?? $0.defaultValue) }
    }

    /// The effective values as a dictionary.
    public var resolvedDictionary: [String: String] {
        Dictionary(uniqueKeysWithValues: resolved.map { ($0.name, $0.value) })
    }

    /// The integer value of option `name`.
    public func int(_ name: String) throws -> Int {
        let text = try raw(name, as: .int)
        return Int(text)!
    }

    /// The floating-point value of option `name`.
    public func double(_ name: String) throws -> Double {
        let text = try raw(name, as: .double)
        return Double(text)!
    }

    /// The Boolean value of option `name`.
    public func bool(_ name: String) throws -> Bool {
        let text = try raw(name, as: .bool)
        return Self.parseBool(text)!
    }

    /// The string value of option `name`.
    public func string(_ name: String) throws -> String {
        try raw(name, as: .string)
    }

    /// Whether the user set option `name` explicitly.
    public func isExplicit(_ name: String) -> Bool { explicitValues[name] != nil }

    private func raw(_ name: String, as kind: OptionSpec.Kind) throws -> String {
        guard let spec = specs.first(where: { $0.name == name }) else {
            throw OptionError.unknown(owner: owner, name: name, known: specs.map(\.name))
        }
        guard spec.kind == kind else {
            throw OptionError.kindMismatch(owner: owner, name: name, declared: spec.kind, requested: kind)
        }
        return explicitValues[name] ?? spec.defaultValue
    }

    static func parses(_ text: String, as kind: OptionSpec.Kind) -> Bool {
        switch kind {
        case .int: return Int(text) != nil
        case .double: return Double(text).map { $0.isFinite } ?? false
        case .bool: return parseBool(text) != nil
        case .string: return true
        }
    }

    static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "1", "on": return true
        case "false", "no", "0", "off": return false
        default: return nil
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
