import Testing
import XMPPCore
@testable import CommandFiles

@Suite struct DefinitionReaderTests {
    @Test func readsEveryKeyOfATOMLDefinition() throws {
        let definition = try Fixture.definition("""
        name = "Restart a service"
        description = "Restarts a unit."
        exec = ["/usr/bin/systemctl", "restart", "{unit}", "{extra}"]
        allow = ["group:admins"]
        deny = ["jid:eve@example.org"]
        confirm = "Restart {unit} now?"
        timeout = "1h30m"
        output = "table"
        workdir = "/srv"
        user = "www-data"
        max_running = 2

        [env]
        SYSTEMD_PAGER = ""
        PATH = "/opt/bin:/usr/bin"

        [[param]]
        var = "unit"
        type = "list-single"
        label = "Service"
        options = ["nginx", { value = "postgresql", label = "Database" }]
        required = true
        default = "nginx"

        [[param]]
        var = "extra"
        type = "list-multi"
        options = ["a", "b"]
        default = ["a", "b"]

        [[param]]
        var = "count"
        datatype = "int"
        min = 1
        max = 10

        [[param]]
        var = "secret"
        type = "text-private"
        regex = "[a-z]+"
        """, node: "restart")
        #expect(definition.node == "restart")
        #expect(definition.name == "Restart a service")
        #expect(definition.description == "Restarts a unit.")
        #expect(definition.exec.elements == [.literal("/usr/bin/systemctl"), .literal("restart"), .parameter("unit"), .parameter("extra")])
        #expect(definition.policy.description == "allow group:admins; deny jid:eve@example.org")
        #expect(definition.confirm?.text == "Restart {unit} now?")
        #expect(definition.timeout == .seconds(5400))
        #expect(definition.output == .table)
        #expect(definition.workingDirectory == "/srv")
        #expect(definition.user == RunAsUser(name: "www-data", uid: 33, gid: 33, home: "/var/www"))
        #expect(definition.maxRunning == 2)
        #expect(definition.environment == ["SYSTEMD_PAGER": "", "PATH": "/opt/bin:/usr/bin"])
        #expect(definition.parameters.map(\.variable) == ["unit", "extra", "count", "secret"])

        let unit = definition.parameters[0].formField
        #expect(unit.type == .listSingle && unit.isRequired && unit.values == ["nginx"] && unit.label == "Service")
        #expect(unit.options == [FormField.Option("nginx"), FormField.Option("postgresql", label: "Database")])
        #expect(definition.parameters[1].defaults == ["a", "b"])
        #expect(definition.parameters[2].validation == FieldValidation(datatype: .int, method: .range(min: "1", max: "10")))
        #expect(definition.parameters[3].validation == FieldValidation(datatype: .string, method: .regex("[a-z]+")))
        #expect(definition.parameters[3].isSecret)
        #expect(definition.parameters[3].environmentName == "ADHOCD_PARAM_SECRET")
    }

    @Test func refusesATOMLFileThatIsNotUTF8() {
        let bytes: [UInt8] = Array("exec = [\"/bin/echo\"]\nname = \"Caf".utf8) + [0xE9] + Array("\"\n".utf8)
        #expect(throws: DefinitionError(file: "/etc/adhocd/commands.d/test.toml", line: 2, problem: "TOML syntax error at column 12: byte 0xE9 is not valid UTF-8: TOML files are UTF-8, save the file as UTF-8")) {
            try Fixture.reader.read(toml: bytes, origin: Fixture.origin())
        }
        #expect((try? Fixture.reader.read(toml: Array("exec = [\"/bin/echo\"]\nname = \"Café\"\n".utf8), origin: Fixture.origin()))?.name == "Café")
    }

    @Test func appliesDefaults() throws {
        let definition = try Fixture.definition("exec = [\"/usr/bin/uptime\"]", node: "uptime")
        #expect(definition.name == "uptime")
        #expect(definition.policy == .ownAccountOnly)
        #expect(definition.timeout == CommandDefinition.defaultTimeout)
        #expect(definition.output == .text)
        #expect(definition.maxRunning == 1)
        #expect(definition.confirm == nil && definition.user == nil && definition.parameters.isEmpty)
    }

    @Test func readsAScriptHeaderWithTheScriptAsDefaultExec() throws {
        let script = """
        #!/bin/sh
        # The journal of a unit.
        #
        # adhocd:begin
        # name = "Journal"
        # allow = ["group:admins"]
        # [[param]]
        # var = "unit"
        # [[param]]
        #var = "lines"
        # datatype = "xs:integer"
        # adhocd:end
        exec journalctl -u "$1" -n "$2"
        """
        let definition = try Fixture.reader.read(script: script, origin: Fixture.origin("journal", form: .script, file: "/d/journal.sh"))
        #expect(definition.name == "Journal")
        #expect(definition.form == .script)
        #expect(definition.exec.elements == [.literal("/d/journal.sh"), .parameter("unit"), .parameter("lines")])
        #expect(definition.parameters.map(\.variable) == ["unit", "lines"])
    }

    @Test func aScriptWithoutHeaderIsAParameterlessCommandForSelf() throws {
        let definition = try Fixture.reader.read(script: "#!/bin/sh\nuptime\n", origin: Fixture.origin("load", form: .script, file: "/d/load.sh"))
        #expect(definition.name == "load.sh")
        #expect(definition.exec.elements == [.literal("/d/load.sh")])
        #expect(definition.policy == .ownAccountOnly)
        #expect(definition.parameters.isEmpty)
    }

    func expectProblem(_ toml: String, line: Int?, key: String?, containing fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let definition = try Fixture.definition(toml)
            Issue.record("expected an error, got \(definition)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.line == line, "\(error)", sourceLocation: sourceLocation)
            #expect(error.key == key, "\(error)", sourceLocation: sourceLocation)
            #expect(error.problem.contains(fragment), "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("/etc/adhocd/commands.d/test.toml"), sourceLocation: sourceLocation)
        }
    }

    @Test func reportsInvalidTOMLDefinitionsWithTheirLine() {
        let exec = "exec = [\"/bin/echo\"]\n"
        expectProblem("name = \"x\"\n", line: nil, key: "exec", containing: "is required")
        expectProblem("name = \"x\"\nexec = [\"echo\"]\n", line: 2, key: "exec", containing: "absolute path")
        expectProblem("exec = [\"{unit}\"]\n", line: 1, key: "exec", containing: "cannot be a placeholder")
        expectProblem("exec = [\"/bin/echo\", \"{nope}\"]\n", line: 1, key: "exec", containing: "names no parameter")
        expectProblem("exec = [\"/bin/echo\", \"--unit={unit}\"]\n[[param]]\nvar = \"unit\"\n", line: 1, key: "exec", containing: "\"--unit=\", \"{unit}\" as two items")
        expectProblem(exec + "timeout = \"soon\"\n", line: 2, key: "timeout", containing: "not a duration")
        expectProblem(exec + "timeout = 0\n", line: 2, key: "timeout", containing: "more than 0")
        // Absurd sizes are range errors, never a trap converting to an integer.
        for absurd in ["1e300", "\"1e17\"", "\"99999999999999h\"", "\"9999999999999999999999s\""] {
            expectProblem(exec + "timeout = \(absurd)\n", line: 2, key: "timeout", containing: "at most")
        }
        expectProblem(exec + "output = \"html\"\n", line: 2, key: "output", containing: "\"text\", \"table\" or \"none\"")
        expectProblem(exec + "allow = [\"admins\"]\n", line: 2, key: "allow", containing: "group:NAME")
        expectProblem(exec + "confirm = \"Sure about {x}?\"\n", line: 2, key: "confirm", containing: "{x} names no parameter")
        expectProblem(exec + "colour = \"red\"\n", line: 2, key: "colour", containing: "unknown key")
        expectProblem(exec + "workdir = \"srv\"\n", line: 2, key: "workdir", containing: "absolute")
        expectProblem(exec + "user = \"nobody-here\"\n", line: 2, key: "user", containing: "no user")
        expectProblem(exec + "max_running = 0\n", line: 2, key: "max_running", containing: "between 1 and 100")
        expectProblem(exec + "[env]\nADHOCD_NODE = \"x\"\n", line: 3, key: "env.ADHOCD_NODE", containing: "set by adhocd")
        expectProblem(exec + "[env]\n\"A B\" = \"x\"\n", line: 3, key: "env.A B", containing: "not a valid environment variable name")
        expectProblem(exec + "name = \"unterminated\n", line: 2, key: nil, containing: "TOML syntax error")
    }

    @Test func reportsInvalidParametersWithTheirLine() {
        let exec = "exec = [\"/bin/echo\"]\n"
        expectProblem(exec + "[[param]]\nlabel = \"x\"\n", line: 2, key: "param[1].var", containing: "is required")
        expectProblem(exec + "[[param]]\nvar = \"1x\"\n", line: 3, key: "param[1].var", containing: "not a usable name")
        expectProblem(exec + "[[param]]\nvar = \"a\"\n\n[[param]]\nvar = \"a\"\n", line: 6, key: "param[2].var", containing: "declared twice")
        expectProblem(exec + "[[param]]\nvar = \"a-b\"\n[[param]]\nvar = \"a_b\"\n", line: 5, key: "param[2].var", containing: "ADHOCD_PARAM_A_B")
        expectProblem(exec + "[[param]]\nvar = \"a\"\ntype = \"list-singel\"\n", line: 4, key: "param[1].type", containing: "use one of")
        expectProblem(exec + "[[param]]\nvar = \"a\"\ntype = \"hidden\"\n", line: 4, key: "param[1].type", containing: "carry no input")
        expectProblem(exec + "[[param]]\nvar = \"a\"\ntype = \"list-single\"\n", line: 2, key: "param[1].options", containing: "is required for list-single")
        expectProblem(exec + "[[param]]\nvar = \"a\"\noptions = [\"x\"]\n", line: 4, key: "param[1].options", containing: "list-single and list-multi only")
        expectProblem(exec + "[[param]]\nvar = \"a\"\ntype = \"list-single\"\noptions = [\"x\", \"x\"]\n", line: 5, key: "param[1].options", containing: "listed twice")
        expectProblem(exec + "[[param]]\nvar = \"a\"\ntype = \"list-single\"\noptions = [\"x\"]\ndefault = \"y\"\n", line: 6, key: "param[1].default", containing: "not one of the options")
        expectProblem(exec + "[[param]]\nvar = \"a\"\ndefault = [\"x\"]\n", line: 4, key: "param[1].default", containing: "takes one value")
        expectProblem(exec + "[[param]]\nvar = \"a\"\ntype = \"boolean\"\ndefault = \"maybe\"\n", line: 5, key: "param[1].default", containing: "true or false")
        expectProblem(exec + "[[param]]\nvar = \"a\"\nmin = 5\nmax = 1\n", line: 5, key: "param[1].max", containing: "below min")
        expectProblem(exec + "[[param]]\nvar = \"a\"\nmin = 1\ndefault = 0\n", line: 5, key: "param[1].default", containing: "at least 1")
        expectProblem(exec + "[[param]]\nvar = \"a\"\nregex = \"([a-z\"\n", line: 4, key: "param[1].regex", containing: "not a valid regular expression")
        expectProblem(exec + "[[param]]\nvar = \"a\"\nregex = \"([a-z0-9]+-?)+\"\n", line: 4, key: "param[1].regex",
                      containing: "repeats a group that itself repeats (([a-z0-9]+-?)+)")
        expectProblem(exec + "[[param]]\nvar = \"a\"\ndatatype = \"xs:date\"\n", line: 4, key: "param[1].datatype", containing: "not supported")
        expectProblem(exec + "[[param]]\nvar = \"a\"\ntype = \"boolean\"\nmin = 1\n", line: 5, key: "param[1].min", containing: "does not apply to boolean")
        expectProblem(exec + "[[param]]\nvar = \"a\"\nopen = true\n", line: 4, key: "param[1].open", containing: "list-single and list-multi only")
        expectProblem(exec + "[[param]]\nvar = \"a\"\nwidth = 3\n", line: 4, key: "param[1].width", containing: "unknown key")
    }

    @Test func reportsScriptHeaderProblemsAtTheScriptsOwnLines() {
        func problem(_ script: String) -> DefinitionError? {
            do {
                _ = try Fixture.reader.read(script: script, origin: Fixture.origin("s", form: .script, file: "/d/s.sh"))
                return nil
            } catch {
                return error
            }
        }
        let unknownKey = problem("#!/bin/sh\n# adhocd:begin\n# name = \"x\"\n# nmae = \"y\"\n# adhocd:end\necho\n")
        #expect(unknownKey?.line == 4 && unknownKey?.key == "nmae")
        let syntax = problem("#!/bin/sh\n# adhocd:begin\n# name = \"x\n# adhocd:end\n")
        #expect(syntax?.line == 3 && syntax?.problem.contains("TOML syntax error") == true)
        let unclosed = problem("#!/bin/sh\n# adhocd:begin\n# name = \"x\"\n")
        #expect(unclosed?.line == 2 && unclosed?.problem.contains("no '# adhocd:end'") == true)
        let code = problem("#!/bin/sh\n# adhocd:begin\nname = \"x\"\n# adhocd:end\n")
        #expect(code?.line == 3 && code?.problem.contains("starts with '#'") == true)
        let late = problem("#!/bin/sh\nset -e\n# adhocd:begin\n# adhocd:end\n")
        #expect(late?.line == 3 && late?.problem.contains("move it up") == true)
        let stray = problem("#!/bin/sh\n# adhocd:end\n")
        #expect(stray?.line == 2)
        let crlf = problem("#!/bin/sh\r\n# adhocd:begin\r\n# name = \"x\"\r\n# bad = 1\r\n# adhocd:end\r\n")
        #expect(crlf?.line == 4 && crlf?.key == "bad")
    }

    @Test func refusesARunAsUserWhenNotRoot() {
        let reader = DefinitionReader(isRoot: false, lookUpUser: { _ in RunAsUser(name: "x", uid: 1, gid: 1, home: "/") })
        #expect(throws: DefinitionError.self) {
            try reader.read(toml: "exec = [\"/bin/true\"]\nuser = \"x\"\n", origin: Fixture.origin())
        }
    }

    @Test func parsesDurations() {
        #expect(DurationText.parse("30s") == .seconds(30))
        #expect(DurationText.parse("2m") == .seconds(120))
        #expect(DurationText.parse("1h30m") == .seconds(5400))
        #expect(DurationText.parse("1h 30m") == .seconds(5400))
        #expect(DurationText.parse("500ms") == .milliseconds(500))
        #expect(DurationText.parse("1.5s") == .milliseconds(1500))
        #expect(DurationText.parse("45") == .seconds(45))
        #expect(DurationText.parse("") == nil)
        #expect(DurationText.parse("5 parsecs") == nil)
        #expect(DurationText.parse("m") == nil)
        #expect(Duration.seconds(90).spoken == "1 min 30 s")
        #expect(Duration.seconds(30).spoken == "30 s")
    }
}
