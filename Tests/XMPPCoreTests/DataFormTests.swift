import Testing
@testable import XMPPCore

@Suite struct DataFormTests {
    static let header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"

    /// Writes the form, reads it back through the stream parser, and parses it again.
    func roundTrip(_ form: DataForm) throws -> DataForm {
        let parser = XMLStreamParser()
        let events = try parser.feed(Self.header + "<message>" + form.element.serialized(inheritedNamespace: "jabber:client") + "</message>")
        guard case .element(let message) = events.last, let x = message.child("x", namespace: DataForm.namespace) else {
            throw DataFormError.missingType
        }
        return try DataForm(element: x)
    }

    @Test func everyFieldTypeRoundTrips() throws {
        let form = DataForm(.form, title: "Settings", instructions: ["Fill in", "then submit"], fields: [
            FormField("FORM_TYPE", type: .hidden, values: ["urn:example:settings"]),
            FormField("enabled", type: .boolean, label: "Enabled", values: ["true"]),
            FormField(nil, type: .fixed, values: ["Section A"]),
            FormField("owner", type: .jidSingle, label: "Owner", isRequired: true),
            FormField("members", type: .jidMulti, values: ["a@b", "c@d"]),
            FormField("color", type: .listSingle, label: "Color", values: ["red"], options: [.init("red", label: "Red"), .init("blue")]),
            FormField("tags", type: .listMulti, values: ["x", "y"], options: [.init("x"), .init("y"), .init("z")]),
            FormField("name", type: .textSingle, description: "Your name", validation: FieldValidation(datatype: .string, method: .regex("[a-z]+"))),
            FormField("notes", type: .textMulti, values: ["line 1", "line 2 & <3>"]),
            FormField("secret", type: .textPrivate),
            FormField("volume", type: .textSingle, validation: FieldValidation(datatype: .int, method: .range(min: "0", max: "100"))),
            FormField("untyped", type: nil, values: ["v"]),
        ])
        let parsed = try roundTrip(form)
        #expect(parsed == form)
        #expect(parsed.formType == "urn:example:settings")
        #expect(parsed.field("untyped")?.effectiveType == .textSingle)
    }

    @Test func resultTablesRoundTrip() throws {
        let form = DataForm(.result, title: "Disks", reported: [
            FormField("mount", type: .textSingle, label: "Mount"),
            FormField("used", type: .textSingle, label: "Used"),
        ], items: [
            [FormField("mount", type: nil, values: ["/"]), FormField("used", type: nil, values: ["40%"])],
            [FormField("mount", type: nil, values: ["/home"]), FormField("used", type: nil, values: ["80%"])],
        ])
        #expect(try roundTrip(form) == form)
    }

    @Test func submitAndCancelParse() throws {
        for kind in [DataForm.Kind.submit, .cancel] {
            #expect(try roundTrip(DataForm(kind)).kind == kind)
        }
        #expect(throws: DataFormError.missingType) { try DataForm(element: XMLElement("x", namespace: DataForm.namespace)) }
        #expect(throws: DataFormError.unknownType("bogus")) { try DataForm(element: XMLElement("x", namespace: DataForm.namespace, ["type": "bogus"])) }
        #expect(throws: DataFormError.self) { try DataForm(element: XMLElement("y", namespace: DataForm.namespace, ["type": "form"])) }
    }

    @Test func validatesASubmission() throws {
        let form = DataForm(.form, fields: [
            FormField("FORM_TYPE", type: .hidden, values: ["urn:x"]),
            FormField("on", type: .boolean),
            FormField("count", type: .textSingle, validation: FieldValidation(datatype: .integer, method: .range(min: "1", max: "10"))),
            FormField("ratio", type: .textSingle, validation: FieldValidation(datatype: .double)),
            FormField("color", type: .listSingle, options: [.init("red"), .init("blue")]),
            FormField("who", type: .jidSingle),
            FormField("lines", type: .textMulti),
            FormField("kept", type: .textSingle, values: ["default"]),
        ])
        let submission = DataForm(.submit, fields: [
            FormField("FORM_TYPE", type: .hidden, values: ["urn:tampered"]),
            FormField("on", type: nil, values: ["1"]),
            FormField("count", type: nil, values: [" 7 "]),
            FormField("ratio", type: nil, values: ["0.5"]),
            FormField("color", type: nil, values: ["blue"]),
            FormField("who", type: nil, values: ["Alice@Example.org"]),
            FormField("lines", type: nil, values: ["a", "", "b"]),
            FormField("unasked", type: nil, values: ["ignored"]),
        ])
        let values = try form.validate(submission)
        #expect(values.string("FORM_TYPE") == "urn:x")
        #expect(values.bool("on") == true)
        #expect(values["on"] == ["true"])
        #expect(values.integer("count") == 7)
        #expect(values.double("ratio") == 0.5)
        #expect(values.string("color") == "blue")
        #expect(values.jid("who")?.description == "alice@example.org")
        #expect(values["lines"] == ["a", "", "b"])
        #expect(values.string("kept") == "default")
        #expect(values.values["unasked"] == nil)
    }

    @Test func reportsEveryProblem() throws {
        let form = DataForm(.form, fields: [
            FormField("name", type: .textSingle, label: "Name", isRequired: true),
            FormField("flag", type: .boolean),
            FormField("count", type: .textSingle, validation: FieldValidation(datatype: .int, method: .range(min: "1", max: "10"))),
            FormField("big", type: .textSingle, validation: FieldValidation(datatype: .unsignedInt)),
            FormField("color", type: .listSingle, options: [.init("red")]),
            FormField("open", type: .listSingle, options: [.init("red")], validation: FieldValidation(method: .open)),
            FormField("who", type: .jidMulti),
            FormField("code", type: .textSingle, validation: FieldValidation(method: .regex("[0-9]{4}"))),
            FormField("one", type: .textSingle),
        ])
        let submission = DataForm(.submit, fields: [
            FormField("name", type: nil, values: ["  "]),
            FormField("flag", type: nil, values: ["yes"]),
            FormField("count", type: nil, values: ["11"]),
            FormField("big", type: nil, values: ["-1"]),
            FormField("color", type: nil, values: ["green"]),
            FormField("open", type: nil, values: ["green"]),
            FormField("who", type: nil, values: ["ok@example.org", "not valid@x"]),
            FormField("code", type: nil, values: ["12a4"]),
            FormField("one", type: nil, values: ["a", "b"]),
        ])
        #expect {
            _ = try form.validate(submission)
        } throws: { error in
            guard let error = error as? FormValidationError else { return false }
            let kinds = Dictionary(error.problems.map { ($0.variable, $0.kind) }, uniquingKeysWith: { first, _ in first })
            #expect(kinds["name"] == .missingRequired)
            #expect(kinds["flag"] == .wrongDatatype("yes", .boolean))
            #expect(kinds["count"] == .outOfRange("11", min: "1", max: "10"))
            #expect(kinds["big"] == .outOfRange("-1", min: "0", max: "4294967295"))
            #expect(kinds["color"] == .notAnOption("green"))
            #expect(kinds["open"] == nil)
            if case .invalidJID(let value, _)? = kinds["who"] { #expect(value == "not valid@x") } else { Issue.record("who: \(String(describing: kinds["who"]))") }
            #expect(kinds["code"] == .noPatternMatch("12a4", pattern: "[0-9]{4}"))
            #expect(kinds["one"] == .tooManyValues(2))
            #expect(error.problems.count == 8)
            #expect(error.description.contains("Name (name) is required"))
            return true
        }
    }

    @Test func parsesDatatypes() {
        #expect(Datatype.int.parse("2147483647") == .signed(2_147_483_647))
        #expect(Datatype.int.parse("2147483648") == nil)
        #expect(Datatype.byte.parse("-128") == .signed(-128))
        #expect(Datatype.unsignedLong.parse("18446744073709551615") == .unsigned(.max))
        #expect(Datatype.long.parse("1.5") == nil)
        #expect(Datatype.double.parse("1e3") == .real(1000))
        #expect(Datatype.double.parse("INF") == .real(.infinity))
        #expect(Datatype.double.parse("abc") == nil)
        #expect(Datatype.boolean.parse("true") == .boolean(true))
        #expect(Datatype.boolean.parse("0") == .boolean(false))
        #expect(Datatype(rawValue: "xs:unknownType").parse("anything") == .text("anything"))
    }

    /// Found by fuzzing (fuzz/Targets/data-form), as issue 10 reported: exponents, INF and
    /// hexadecimal passed xs:decimal, Swift-only forms passed xs:double, and NaN passed ranges.
    @Test func followsXMLSchemaForDecimalsAndDoubles() {
        for text in ["1e5", "INF", "NaN", "0x10", "inf", "1.5e3", "", ".", "+", "1.2.3"] {
            #expect(Datatype.decimal.parse(text) == nil, "\(text)")
        }
        #expect(Datatype.decimal.parse("-12.50") == .real(-12.5))
        #expect(Datatype.decimal.parse(" .5 ") == .real(0.5))
        #expect(Datatype.decimal.parse("+7.") == .real(7))
        for text in ["0x1p3", "inf", "infinity", "nan", "1e", "e5", "1e+", "1.5E-x"] {
            #expect(Datatype.double.parse(text) == nil, "\(text)")
        }
        #expect(Datatype.float.parse("-1.5E-3") == .real(-0.0015))
        #expect(Datatype.double.parse("+INF") == .real(.infinity))

        let form = DataForm(.form, fields: [
            FormField("ratio", validation: FieldValidation(datatype: .double, method: .range(min: "0", max: "1"))),
            FormField("floor", validation: FieldValidation(datatype: .double, method: .range(min: "0", max: nil))),
        ])
        for value in ["NaN", "INF", "-INF"] {
            #expect(throws: FormValidationError.self, "\(value)") {
                try form.validate(DataForm(.submit, fields: [FormField("ratio", values: [value])]))
            }
            #expect(throws: FormValidationError.self, "\(value)") {
                try form.validate(DataForm(.submit, fields: [FormField("floor", values: [value])]))
            }
        }
        #expect((try? form.validate(DataForm(.submit, fields: [FormField("ratio", values: ["0.5"])])))?.string("ratio") == "0.5")
    }

    @Test func formTypeIsAHiddenField() {
        var form = DataForm(.form, fields: [FormField("a")])
        form.formType = "urn:example"
        #expect(form.fields.first == FormField("FORM_TYPE", type: .hidden, values: ["urn:example"]))
        form.formType = nil
        #expect(form.fields.count == 1)
    }

    @Test func decimalsAndDoublesFollowXMLSchema() {
        for text in ["1.5", "-0.0", ".5", "5.", "+3", "007"] { #expect(Datatype.decimal.parse(text) != nil, "\(text)") }
        for text in ["1e3", "INF", "-INF", "NaN", ".", "", "+-1", "1.2.3", "0x10", "inf", "1,5"] {
            #expect(Datatype.decimal.parse(text) == nil, "\(text)")
        }
        #expect(Datatype.double.parse("1E-3") == .real(0.001))
        #expect(Datatype.double.parse("-INF") == .real(-.infinity))
        #expect(Datatype.double.parse("+INF") == .real(.infinity))
        if case .real(let nan)? = Datatype.double.parse("NaN") { #expect(nan.isNaN) } else { Issue.record("NaN is an xs:double") }
        for text in ["inf", "nan", "Infinity", "0x1p3", "1e", "e5", "1e+", "--1", "1 000"] {
            #expect(Datatype.double.parse(text) == nil, "\(text)")
        }
    }

    @Test func aWholeNumberTooLargeForItsTypeIsOutOfRange() throws {
        let form = DataForm(.form, fields: [
            FormField("byte", validation: FieldValidation(datatype: .byte)),
            FormField("level", validation: FieldValidation(datatype: .byte, method: .range(min: "0", max: nil))),
        ])
        #expect(throws: FormValidationError(problems: [
            FieldProblem(variable: "byte", kind: .outOfRange("500", min: "-128", max: "127")),
            FieldProblem(variable: "level", kind: .outOfRange("-999", min: "0", max: "127")),
        ])) {
            try form.validate(DataForm(.submit, fields: [FormField("byte", type: nil, values: ["500"]), FormField("level", type: nil, values: ["-999"])]))
        }
        #expect(throws: FormValidationError(problems: [FieldProblem(variable: "byte", kind: .wrongDatatype("5.5", .byte))])) {
            try form.validate(DataForm(.submit, fields: [FormField("byte", type: nil, values: ["5.5"])]))
        }
    }

    @Test func rangesAdmitFiniteNumbersOnly() throws {
        let form = DataForm(.form, fields: [
            FormField("ratio", validation: FieldValidation(datatype: .double, method: .range(min: "0", max: "1"))),
            FormField("any", validation: FieldValidation(datatype: .double)),
        ])
        for text in ["NaN", "INF", "-INF", "1e400"] {
            #expect(throws: FormValidationError(problems: [FieldProblem(variable: "ratio", kind: .notFinite(text))])) {
                try form.validate(DataForm(.submit, fields: [FormField("ratio", type: nil, values: [text])]))
            }
        }
        // Without a range, NaN is a double like any other.
        #expect(try form.validate(DataForm(.submit, fields: [FormField("any", type: nil, values: ["NaN"])]))["any"] == ["NaN"])
        #expect(try form.validate(DataForm(.submit, fields: [FormField("ratio", type: nil, values: ["0.5"])]))["ratio"] == ["0.5"])
    }

    @Test func jidMultiDropsDuplicatesAndTextMultiGoesOneLineAValue() throws {
        let form = DataForm(.form, fields: [FormField("who", type: .jidMulti), FormField("text", type: .textMulti)])
        let values = try form.validate(DataForm(.submit, fields: [
            FormField("who", type: nil, values: ["a@example.org", "c@example.org", "A@Example.ORG", "a@example.org"]),
            FormField("text", type: nil, values: ["one\ntwo", "", "three\r\nfour"]),
        ]))
        #expect(values["who"] == ["a@example.org", "c@example.org"])
        #expect(values["text"] == ["one", "two", "", "three", "four"])

        // What we send: a provider's text with line breaks becomes one <value/> a line.
        let sent = FormField("status-message", type: .textMulti, values: ["away\nback at six"]).element
        #expect(sent.children("value", namespace: DataForm.namespace).map(\.text) == ["away", "back at six"])
        let single = FormField("note", type: .textSingle, values: ["a\nb"]).element
        #expect(single.children("value", namespace: DataForm.namespace).count == 1)
    }

    @Test func checksOneFieldAlone() throws {
        let form = DataForm(.form, fields: [
            FormField("FORM_TYPE", type: .hidden, values: ["urn:x"]),
            FormField("count", label: "Count", isRequired: true, validation: FieldValidation(datatype: .int, method: .range(min: "1", max: "10"))),
            FormField("on", type: .boolean),
            FormField(nil, type: .fixed, values: ["text"]),
        ])
        #expect(try form.validate([" 3 "], forField: "count") == ["3"])
        #expect(try form.validate(["1"], forField: "on") == ["true"])
        #expect(try form.validate(["tampered"], forField: "FORM_TYPE") == ["urn:x"])
        #expect(throws: FormValidationError(problems: [FieldProblem(variable: "count", label: "Count", kind: .outOfRange("11", min: "1", max: "10"))])) {
            try form.validate(["11"], forField: "count")
        }
        #expect(throws: FormValidationError(problems: [FieldProblem(variable: "count", label: "Count", kind: .missingRequired)])) {
            try form.validate([""], forField: "count")
        }
        #expect(throws: FormValidationError(problems: [FieldProblem(variable: "nope", kind: .unknownField)])) {
            try form.validate(["x"], forField: "nope")
        }
    }

    @Test func problemsQuoteHugeValuesShort() {
        let huge = String(repeating: "9", count: 140_000)
        let problem = FieldProblem(variable: "count", label: "Count", kind: .outOfRange(huge, min: "1", max: "10"))
        #expect(problem.description.utf8.count < 150)
        #expect(problem.description.hasPrefix("Count (count): 9999"))
        #expect(FieldProblem(variable: "v", label: "v", kind: .missingRequired).description == "v is required")
        #expect(DataFormError.unknownType(huge).description.utf8.count < 120)
    }

    @Test func aFieldGivenTwiceIsAProblemAndShownWithItsFirstValue() throws {
        let form = DataForm(.form, fields: [
            FormField("FORM_TYPE", type: .hidden, values: ["urn:x"]),
            FormField("level", label: "Level", validation: FieldValidation(datatype: .int)),
            FormField("tags", type: .listMulti, options: [.init("a"), .init("b")]),
        ])
        let submission = DataForm(.submit, fields: [
            FormField("FORM_TYPE", type: .hidden, values: ["urn:x"]),
            FormField("FORM_TYPE", type: .hidden, values: ["urn:x"]),
            FormField("level", type: nil, values: ["abc"]),
            FormField("tags", type: nil, values: ["a"]),
            FormField("level", type: nil, values: ["5"]),
            FormField("tags", type: nil, values: ["b"]),
            FormField("tags", type: nil, values: ["a", "b"]),
        ])
        #expect(throws: FormValidationError(problems: [
            FieldProblem(variable: "level", label: "Level", kind: .givenMoreThanOnce(2)),
            FieldProblem(variable: "tags", kind: .givenMoreThanOnce(3)),
        ])) { try form.validate(submission) }
        #expect(FieldProblem(variable: "level", label: "Level", kind: .givenMoreThanOnce(2)).description == "Level (level) is given 2 times; send it once")
        // The values the form shows again, and the audit records, are the first of each.
        #expect(submission.submittedValues["level"] == ["abc"])
        #expect(submission.submittedValues["tags"] == ["a"])
        // A hidden field echoed twice is ours anyway: no problem.
        let echoed = DataForm(.submit, fields: [
            FormField("FORM_TYPE", type: .hidden, values: ["urn:x"]), FormField("FORM_TYPE", type: .hidden, values: ["urn:y"]),
            FormField("level", type: nil, values: ["5"]),
        ])
        #expect(try form.validate(echoed).values == ["FORM_TYPE": ["urn:x"], "level": ["5"], "tags": []])
    }

    @Test func aFormFilledWithValuesKeepsItsHiddenAndFixedFields() {
        let form = DataForm(.form, fields: [
            FormField("FORM_TYPE", type: .hidden, values: ["urn:x"]),
            FormField("level", values: ["1"]),
            FormField("info", type: .fixed, values: ["read me"]),
        ])
        let filled = form.filled(with: ["FORM_TYPE": ["urn:evil"], "level": ["abc"], "info": ["changed"], "other": ["x"]])
        #expect(filled.field("FORM_TYPE")?.values == ["urn:x"])
        #expect(filled.field("level")?.values == ["abc"])
        #expect(filled.field("info")?.values == ["read me"])
        #expect(filled.fields.count == 3)
    }
}
