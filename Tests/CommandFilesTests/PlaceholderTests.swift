import Testing
import XMPPCore
@testable import CommandFiles

@Suite struct PlaceholderTests {
    /// Values that would do harm if anything split them or handed them to a shell.
    static let hostileValues = [
        "; rm -rf /", "$(touch /tmp/adhocd-pwned)", "`id`", "a b  c", "line\nbreak", "-rf", "--help",
        "ünïcødé ✓ 🚀", "'\"\\", "*", "~root", "${HOME}", "| cat /etc/shadow", "&& reboot", "",
    ]

    let parameters = [
        ParameterDefinition(variable: "one"),
        ParameterDefinition(variable: "many", type: .textMulti),
        ParameterDefinition(variable: "secret", type: .textPrivate),
    ]

    func template(_ argv: [String]) throws -> ArgumentTemplate {
        try ArgumentTemplate(parsing: argv, parameters: ["one", "many", "secret"])
    }

    @Test func eachHostileValueIsExactlyOneUnchangedArgument() throws {
        let exec = try template(["/bin/echo", "--", "{one}", "literal"])
        for value in Self.hostileValues {
            let argv = try exec.expand(SubmittedValues(["one": [value]]), parameters: parameters)
            #expect(argv == ["/bin/echo", "--", value, "literal"])
        }
    }

    @Test func multiValuedParametersExpandToOneArgumentPerValue() throws {
        let exec = try template(["/bin/echo", "{many}", "{one}"])
        let values = SubmittedValues(["many": ["a b", "; rm -rf /", "-x"], "one": ["z"]])
        #expect(try exec.expand(values, parameters: parameters) == ["/bin/echo", "a b", "; rm -rf /", "-x", "z"])
        // Nothing given: a multi-valued parameter adds no argument, a single one an empty argument.
        #expect(try exec.expand(SubmittedValues(), parameters: parameters) == ["/bin/echo", ""])
    }

    @Test func literalBracesAreNotPlaceholders() throws {
        let exec = try template(["/usr/bin/find", "/srv", "-exec", "/bin/ls", "{}", ";", "{print $1}", "{ one }"])
        #expect(exec.elements.allSatisfy { if case .literal = $0 { true } else { false } })
    }

    @Test func refusesPlaceholdersThatAreNotWholeArguments() {
        #expect(throws: ArgumentTemplate.ParseError.embeddedPlaceholder(index: 2, text: "--unit={one}", name: "one")) {
            try template(["/bin/echo", "--unit={one}"])
        }
        #expect(throws: ArgumentTemplate.ParseError.unknownParameter(index: 2, name: "two")) { try template(["/bin/echo", "{two}"]) }
        #expect(throws: ArgumentTemplate.ParseError.placeholderProgram("{one}")) { try template(["{one}"]) }
        #expect(throws: ArgumentTemplate.ParseError.relativeProgram("echo")) { try template(["echo"]) }
        #expect(throws: ArgumentTemplate.ParseError.empty) { try template([]) }
    }

    @Test func refusesAValueWithANulCharacter() throws {
        let exec = try template(["/bin/echo", "{one}"])
        #expect(throws: UnpassableValue(variable: "one")) {
            try exec.expand(SubmittedValues(["one": ["a\u{0}b"]]), parameters: parameters)
        }
    }

    @Test func confirmationTextShowsValuesButNeverSecrets() throws {
        let message = try MessageTemplate(parsing: "Run {one} on {many} with {secret}?", parameters: ["one", "many", "secret"])
        let text = message.render(SubmittedValues(["one": ["x"], "many": ["a", "b"], "secret": ["hunter2"]]), parameters: parameters)
        #expect(text == "Run x on a, b with (hidden)?")
        #expect(throws: MessageTemplate.UnknownPlaceholder(name: "two")) { try MessageTemplate(parsing: "{two}", parameters: ["one"]) }
        #expect(MessageTemplate.placeholders(in: "{a} {} {b c} {d") == ["a"])
    }

    @Test func aValueIsNeverExpandedInTurn() throws {
        // A requester typing "{secret}" as a value must not reveal the secret in the question.
        let message = try MessageTemplate(parsing: "Run {one} with {secret} {not a name} {", parameters: ["one", "secret"])
        let text = message.render(SubmittedValues(["one": ["{secret} {one}"], "secret": ["hunter2"]]), parameters: parameters)
        #expect(text == "Run {secret} {one} with (hidden) {not a name} {")
    }

    @Test func theEnvironmentHoldsOnlyWhatIsListed() throws {
        var definition = try Fixture.definition("""
        exec = ["/bin/env"]
        [env]
        LANG = "fr_FR.UTF-8"
        TOKEN_FILE = "/etc/token"
        [[param]]
        var = "unit-name"
        [[param]]
        var = "hosts"
        type = "jid-multi"
        """, node: "env")
        definition.node = "env"
        let environment = try RunEnvironment.build(
            for: definition, values: SubmittedValues(["unit-name": ["$(reboot)"], "hosts": ["a@x", "b@y"]]),
            requester: Fixture.alice, home: "/var/lib/adhocd")
        #expect(environment == [
            "PATH": RunEnvironment.defaultPath, "LANG": "fr_FR.UTF-8", "HOME": "/var/lib/adhocd", "TOKEN_FILE": "/etc/token",
            "ADHOCD_REQUESTER": "alice@example.org", "ADHOCD_NODE": "env",
            "ADHOCD_PARAM_UNIT_NAME": "$(reboot)", "ADHOCD_PARAM_HOSTS": "a@x\nb@y",
        ])
    }
}
