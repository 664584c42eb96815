import Testing
@testable import Chat

@Suite struct TypedLineTests {
    @Test func aNodeAloneIsTheHead() throws {
        let line = try #require(TypedLine("  status  "))
        #expect(line == TypedLine(head: "status"))
        #expect(try line.arguments() == TypedLine.Arguments())
        #expect(TypedLine("   ") == nil)
        #expect(TypedLine("") == nil)
    }

    @Test func assignmentsAndWordsAreSeparated() throws {
        let line = try #require(TypedLine(#"restart-service unit=nginx.service note="two words" force"#))
        #expect(line.head == "restart-service")
        #expect(line.rest == #"unit=nginx.service note="two words" force"#)
        let arguments = try line.arguments()
        #expect(arguments.assignments == [.init("unit", "nginx.service"), .init("note", "two words")])
        #expect(arguments.words == ["force"])
    }

    @Test func quotesOnlyGroupWords() throws {
        let line = try #require(TypedLine(#"echo "a=b" 'it''s' "say \"hi\" \\ ok" $(rm -rf /);`x`|y"#))
        let arguments = try line.arguments()
        #expect(arguments.assignments.isEmpty)
        #expect(arguments.words == ["a=b", "its", #"say "hi" \ ok"#, "$(rm", "-rf", "/);`x`|y"])
    }

    @Test func theRestOfTheLineIsKeptAsTyped() throws {
        let line = try #require(TypedLine("echo   hello;  $HOME 'x\n\"y\"  "))
        #expect(line.head == "echo")
        #expect(line.rest == "hello;  $HOME 'x\n\"y\"")
    }

    @Test func anUnclosedQuoteIsAnErrorOnlyWhenTheWordsAreRead() throws {
        let double = try #require(TypedLine(#"echo "open"#))
        #expect(double.rest == #""open"#)
        #expect(throws: TypedLineError.unclosedQuote("\"")) { try double.arguments() }
        #expect(throws: TypedLineError.unclosedQuote("'")) { try TypedLine("echo 'open")?.arguments() }
    }

    @Test func theHeadEndsAtAnyBlank() throws {
        let line = try #require(TypedLine("greet\nname=bob"))
        #expect(line.head == "greet")
        #expect(try line.arguments().assignments == [.init("name", "bob")])
    }

    @Test func onlyPlainNamesMakeAssignments() throws {
        let line = try #require(TypedLine("x 1a=b =c a.b-c:d=e é=f"))
        let arguments = try line.arguments()
        #expect(arguments.assignments == [.init("a.b-c:d", "e"), .init("é", "f")])
        #expect(arguments.words == ["1a=b", "=c"])
    }
}
