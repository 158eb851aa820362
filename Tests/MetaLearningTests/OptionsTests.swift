import MetaLearning
import Testing

@Suite struct OptionsTests {
    let specs: [OptionSpec] = [
        .int("inner-steps", default: 5, help: "steps"),
        .double("inner-lr", default: 0.4, help: "lr"),
        .bool("first-order", default: false, help: "fo"),
        .string("backbone", default: "auto", help: "net"),
    ]

    @Test func defaultsAndExplicitValues() throws {
        let o = try Options(owner: "algorithm 'maml'", specs: specs, values: ["inner-steps": "1", "first-order": "yes"])
        #expect(try o.int("inner-steps") == 1)
        #expect(try o.double("inner-lr") == 0.4)
        #expect(try o.bool("first-order") == true)
        #expect(try o.string("backbone") == "auto")
        #expect(o.isExplicit("inner-steps") && !o.isExplicit("inner-lr"))
        #expect(o.resolved.map(\.name) == ["inner-steps", "inner-lr", "first-order", "backbone"])
        #expect(o.resolvedDictionary["inner-lr"] == "0.4")
    }

    @Test func unknownOptionIsRejectedWithKnownNames() {
        #expect(throws: OptionError.unknown(owner: "algorithm 'maml'", name: "steps",
                                            known: ["inner-steps", "inner-lr", "first-order", "backbone"])) {
            try Options(owner: "algorithm 'maml'", specs: specs, values: ["steps": "3"])
        }
        let e = OptionError.unknown(owner: "algorithm 'maml'", name: "steps", known: ["inner-steps"])
        #expect(e.description.contains("'steps'") && e.description.contains("inner-steps"))
    }

    @Test func badValuesAreRejected() {
        #expect(throws: OptionError.invalidValue(owner: "x", name: "inner-steps", value: "five", expected: .int)) {
            try Options(owner: "x", specs: specs, values: ["inner-steps": "five"])
        }
        #expect(throws: OptionError.invalidValue(owner: "x", name: "inner-lr", value: "nan", expected: .double)) {
            try Options(owner: "x", specs: specs, values: ["inner-lr": "nan"])
        }
        #expect(throws: OptionError.invalidValue(owner: "x", name: "first-order", value: "maybe", expected: .bool)) {
            try Options(owner: "x", specs: specs, values: ["first-order": "maybe"])
        }
    }

    @Test func wrongAccessorKindIsAnError() throws {
        let o = try Options(owner: "x", specs: specs)
        #expect(throws: OptionError.kindMismatch(owner: "x", name: "inner-lr", declared: .double, requested: .int)) {
            try o.int("inner-lr")
        }
        #expect(throws: OptionError.self) { try o.string("nope") }
    }

    @Test func badDeclarationsAreRejected() {
        #expect(throws: OptionError.duplicateDeclaration(owner: "x", name: "a")) {
            try Options(owner: "x", specs: [.int("a", default: 1, help: ""), .int("a", default: 2, help: "")])
        }
        #expect(throws: OptionError.invalidName(owner: "x", name: "Bad Name")) {
            try Options(owner: "x", specs: [.int("Bad Name", default: 1, help: "")])
        }
        #expect(throws: OptionError.invalidDefault(owner: "x", name: "n", value: "z", expected: .int)) {
            try Options(owner: "x", specs: [OptionSpec(name: "n", kind: .int, defaultValue: "z", help: "")])
        }
    }

    @Test func commandLineAssignmentsParse() throws {
        let v = try Options.parseAssignments(["inner-steps=3", " first-order ", "backbone = mlp"], owner: "x")
        #expect(v == ["inner-steps": "3", "first-order": "true", "backbone": "mlp"])
        #expect(throws: OptionError.malformedAssignment(owner: "x", text: "=3")) {
            try Options.parseAssignments(["=3"], owner: "x")
        }
    }
}
