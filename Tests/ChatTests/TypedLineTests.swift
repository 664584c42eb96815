import Testing
@testable import Chat

@Suite struct TypedLineTests {
    @Test func aNodeAloneIsTheHead() throws {
        let line = try #require(try TypedLine("  status  "))
        #expect(line == TypedLine(head: "status"))
        #expect(try TypedLine("   ") == nil)
    }

    @Test func assignmentsAndWordsAreSeparated() throws {
        let line = try #require(try TypedLine(#"restart-service unit=nginx.service note="two words" force"#))
        #expect(line.head == "restart-service")
        #expect(line.assignments == [.init("unit", "nginx.service"), .init("note", "two words")])
        #expect(line.words == ["force"])
        #expect(line.rest == #"unit=nginx.service note="two words" force"#)
    }

    @Test func quotesOnlyGroupWords() throws {
        let line = try #require(try TypedLine(#"echo "a=b" 'it''s' "say \"hi\" \\ ok" $(rm -rf /);`x`|y"#))
        #expect(line.assignments.isEmpty)
        #expect(line.words == ["a=b", "its", #"say "hi" \ ok"#, "$(rm", "-rf", "/);`x`|y"])
    }

    @Test func theRestOfTheLineIsKeptAsTyped() throws {
        let line = try #require(try TypedLine("echo   hello;  $HOME  'x"[...].dropLast(3) + ""))
        #expect(line.rest == "hello;  $HOME")
    }

    @Test func anUnclosedQuoteIsAnError() {
        #expect(throws: TypedLineError.unclosedQuote("\"")) { try TypedLine(#"echo "open"#) }
        #expect(throws: TypedLineError.unclosedQuote("'")) { try TypedLine("echo 'open") }
    }

    @Test func onlyPlainNamesMakeAssignments() throws {
        let line = try #require(try TypedLine("x 1a=b =c a.b-c:d=e é=f"))
        #expect(line.assignments == [.init("a.b-c:d", "e"), .init("é", "f")])
        #expect(line.words == ["1a=b", "=c"])
    }
}
