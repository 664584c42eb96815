import Testing
@testable import TOMLConfig

/// The reference as Markdown tables and man page paragraphs, and the generated blocks inside
/// hand-written files.
@Suite struct ReferenceRenderingTests {
    static let mode = ConfigKey(
        "mode", .string, default: "a|b", "Either `a|b` or *c*; see [the docs](x.md#y). Next sentence -- with a \\ backslash.")
    static let limit = ConfigKey("limit", .integer(-128...127), default: 0, "Priority, −128 … 127.")
    static let low = ConfigKey("low", .number(0...1), default: 0.5, "")
    static let high = ConfigKey("high", .number(0...1), default: 1, "")
    static let table = ConfigTable("[demo]", keys: [mode, limit, KeyRow(together: [low, high], "Two limits.")])

    @Test func markdownTablesEscapeTheCellSeparator() {
        #expect(MarkdownReference.table(Self.table) == """
        | Key | Type | Default | Meaning |
        | --- | --- | --- | --- |
        | `mode` | string | `"a\\|b"` | Either `a\\|b` or *c*; see [the docs](x.md#y). Next sentence -- with a \\ backslash. |
        | `limit` | integer, -128 … 127 | 0 | Priority, −128 … 127. |
        | `low`, `high` | number, 0 … 1 | 0.5, 1 | Two limits. |
        """)
        #expect(MarkdownReference.cell("one\ntwo \\| three") == "one two \\| three")
    }

    @Test func roffTextTurnsMarkdownIntoFontsAndEscapes() {
        #expect(RoffReference.text("`code-x` and *em* and **strong**") == "\\fBcode\\-x\\fR and \\fIem\\fR and \\fBstrong\\fR")
        #expect(RoffReference.text("see [the docs](x.md#a-b)") == "see the docs")
        #expect(RoffReference.text("a \\ b") == "a \\e b")
        #expect(RoffReference.text("`C:\\path`") == "\\fBC:\\epath\\fR")
        #expect(RoffReference.text("1 … 2 · é — −1 → 2×3") == "1 ... 2 \\[u00B7] \\[u00E9] \\(em \\-1 \\(-> 2\\(mu3")
        #expect(RoffReference.text("a * b and `unclosed") == "a * b and `unclosed")
        #expect(RoffReference.text("escaped \\* star") == "escaped * star")
    }

    @Test func roffPutsOneSentenceALineAndGuardsLeadingDots() {
        #expect(RoffReference.sentences("One. Two three. four") == ["One.", "Two three. four"])
        #expect(RoffReference.sentences(".hidden starts with a dot") == ["\\&.hidden starts with a dot"])
        #expect(RoffReference.sentences("A. 'quoted'") == ["A. 'quoted'"])
        #expect(RoffReference.sentences("Ends. .Dotted") == ["Ends. .Dotted"])
        #expect(RoffReference.sentences("First. \\fBcode\\fR next") == ["First.", "\\fBcode\\fR next"])
    }

    @Test func roffListsEachKeyAsATaggedParagraph() {
        #expect(RoffReference.list(Self.table) == """
        .TP
        .B mode
        String; default \\fB"a|b"\\fR.
        Either \\fBa|b\\fR or \\fIc\\fR; see the docs.
        Next sentence \\-\\- with a \\e backslash.
        .TP
        .B limit
        Integer, \\-128 ... 127; default 0.
        Priority, \\-128 ... 127.
        .TP
        .BR low ", " high
        Number, 0 ... 1; default 0.5, 1.
        Two limits.
        """)
        let dotted = ConfigTable("[d]", keys: [ConfigKey("sep", .string, default: " · ", "The separator.")])
        #expect(RoffReference.list(dotted) == ".if !c\\[u00B7] .char \\[u00B7] .\n.TP\n.B sep\nString; default \\fB\" \\[u00B7] \"\\fR.\nThe separator.")
        let required = ConfigTable("[r]", keys: [ConfigKey.required("jid", .string, "The JID.")])
        #expect(RoffReference.list(required) == ".TP\n.B jid\nRequired; string.\nThe JID.")
    }

    static let blocks = ReferenceBlocks([ReferenceDocument("demo.toml", tables: [table, ConfigTable("[other]", keys: [limit])])])

    @Test func blocksAreRewrittenAndTheProseAroundThemKept() throws {
        let markers = ReferenceFormat.markdown.markers(document: "demo.toml", title: "[demo]")
        let others = ReferenceFormat.markdown.markers(document: "demo.toml", title: "[other]")
        let text = ["# Title", "", "Prose before.", markers[0], "stale table", markers[1], "", "Prose after.", others[0], others[1], ""]
            .joined(separator: "\n")
        let updated = try Self.blocks.update(text, format: .markdown)
        #expect(updated == ["# Title", "", "Prose before.", markers[0], MarkdownReference.table(Self.table), markers[1], "", "Prose after.",
                            others[0], MarkdownReference.table(ConfigTable("[other]", keys: [Self.limit])), others[1], ""].joined(separator: "\n"))
        // Writing again changes nothing.
        #expect(try Self.blocks.update(updated, format: .markdown) == updated)
        #expect(markers[0] == "<!-- keys of demo.toml [demo]: written by make docs from the declarations in the code -->")
        #expect(ReferenceFormat.roff.markers(document: "demo.toml", title: "[demo]")
                == [".\\\" keys of demo.toml [demo]: written by make docs from the declarations in the code", ".\\\" end of generated keys"])
        #expect(ReferenceFormat(file: "docs/x.md") == .markdown && ReferenceFormat(file: "man/x.5") == .roff)
    }

    @Test func aDeclaredTableWithoutABlockIsAnError() throws {
        let markers = ReferenceFormat.roff.markers(document: "demo.toml", title: "[demo]")
        #expect(throws: ReferenceError.missing("[other]", document: "demo.toml", markers: ReferenceFormat.roff.markers(document: "demo.toml", title: "[other]"))) {
            try Self.blocks.update(markers.joined(separator: "\n"), format: .roff)
        }
        // A file without any block of a document is left alone.
        #expect(try Self.blocks.update(".TH X 5\nplain", format: .roff) == ".TH X 5\nplain")
    }

    @Test func brokenMarkersAreErrors() {
        let format = ReferenceFormat.markdown
        let demo = format.markers(document: "demo.toml", title: "[demo]")
        let other = format.markers(document: "demo.toml", title: "[other]")
        #expect(throws: ReferenceError.unterminated("[demo]", document: "demo.toml")) {
            try Self.blocks.update(demo[0] + "\nno end", format: format)
        }
        #expect(throws: ReferenceError.repeated("[demo]", document: "demo.toml")) {
            try Self.blocks.update((demo + demo + other).joined(separator: "\n"), format: format)
        }
        #expect(throws: ReferenceError.unknownTable("[gone]", document: "demo.toml", known: ["[demo]", "[other]"])) {
            try Self.blocks.update(format.markers(document: "demo.toml", title: "[gone]").joined(separator: "\n"), format: format)
        }
        #expect(throws: ReferenceError.unknownDocument("nope.toml", known: ["demo.toml"])) {
            try Self.blocks.update(format.markers(document: "nope.toml", title: "[demo]").joined(separator: "\n"), format: format)
        }
    }
}
