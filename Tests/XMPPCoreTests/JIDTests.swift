import Testing
@testable import XMPPCore

@Suite struct JIDTests {
    @Test func parsesEveryForm() throws {
        let full = try JID("alice@example.org/phone")
        #expect(full.localpart == "alice")
        #expect(full.domain == "example.org")
        #expect(full.resource == "phone")
        #expect(full.isFull)
        #expect(full.bare == (try JID("alice@example.org")))
        #expect(full.bare.isBare)

        let domain = try JID("example.org")
        #expect(domain.localpart == nil)
        #expect(domain.resource == nil)

        let domainWithResource = try JID("example.org/res")
        #expect(domainWithResource.localpart == nil)
        #expect(domainWithResource.resource == "res")
    }

    @Test func resourceKeepsSlashesAndAtSigns() throws {
        let jid = try JID("a@b/c@d/e")
        #expect(jid.localpart == "a")
        #expect(jid.domain == "b")
        #expect(jid.resource == "c@d/e")
        #expect(jid.description == "a@b/c@d/e")
    }

    @Test func foldsCaseOfLocalpartAndDomainButNotResource() throws {
        let jid = try JID("Alice@Example.ORG./Phone")
        #expect(jid.description == "alice@example.org/Phone")
        #expect(try JID("ÉLODIE@exemple.fr").localpart == "élodie")
        #expect(try JID("Alice@example.org") == (try JID("alice@EXAMPLE.org")))
    }

    @Test(arguments: [
        ("", JIDError.empty),
        ("@example.org", .emptyPart(.localpart)),
        ("alice@", .emptyPart(.domain)),
        ("alice@example.org/", .emptyPart(.resource)),
        ("/res", .emptyPart(.domain)),
        ("al ice@example.org", .forbiddenCharacter(" ", part: .localpart)),
        ("al'ice@example.org", .forbiddenCharacter("'", part: .localpart)),
        ("a<b@example.org", .forbiddenCharacter("<", part: .localpart)),
        ("a:b@example.org", .forbiddenCharacter(":", part: .localpart)),
        ("alice@exa mple.org", .forbiddenCharacter(" ", part: .domain)),
        ("alice@example..org", .invalidDomain("example..org", reason: "empty label")),
        ("alice@example.org/a\u{7}b", .forbiddenCharacter("\u{7}", part: .resource)),
    ])
    func rejectsInvalidJIDs(input: String, expected: JIDError) {
        #expect(throws: expected) { try JID(input) }
    }

    /// Found by fuzzing (fuzz/Targets/jid): Swift reads '/' or '@' followed by a combining mark
    /// as one Character, so the separator was missed and the address misread; likewise a space
    /// or quote before a combining mark passed the checks.
    @Test func separatorsAndForbiddenCharactersCountEvenBeforeACombiningMark() throws {
        let jid = try JID("alice@example.org/\u{366}res")
        #expect(jid.domain == "example.org")
        #expect(jid.resource == "\u{366}res")
        #expect(try JID(jid.description) == jid)
        let local = try JID("alice@\u{301}example.org")
        #expect(local.localpart == "alice")
        #expect(local.domain == "\u{301}example.org")
        #expect(throws: JIDError.forbiddenCharacter(" ", part: .localpart)) { try JID("a \u{301}b@example.org") }
        #expect(throws: JIDError.forbiddenCharacter("\"", part: .localpart)) { try JID("a\"\u{301}b@example.org") }
        #expect(throws: JIDError.forbiddenCharacter(" ", part: .domain)) { try JID("alice@exa \u{301}mple.org") }
    }

    @Test func enforcesTheLengthLimitPerPart() throws {
        let longest = String(repeating: "a", count: 1023)
        #expect(try JID("\(longest)@example.org/\(longest)").localpart?.utf8.count == 1023)
        #expect(throws: JIDError.partTooLong(.localpart, bytes: 1024)) {
            try JID(String(repeating: "a", count: 1024) + "@example.org")
        }
        #expect(throws: JIDError.partTooLong(.resource, bytes: 1024)) {
            try JID("a@example.org/" + String(repeating: "r", count: 1024))
        }
        // Bytes, not characters: 512 two-byte characters are 1024 bytes.
        #expect(throws: JIDError.partTooLong(.localpart, bytes: 1024)) {
            try JID(String(repeating: "é", count: 512) + "@example.org")
        }
    }

    @Test func acceptsIPLiterals() throws {
        #expect(try JID("bot@127.0.0.1").domain == "127.0.0.1")
        #expect(try JID("bot@[::1]/x").domain == "[::1]")
        #expect(throws: JIDError.self) { try JID("bot@[zz]") }
    }

    @Test func errorsSayWhatIsWrong() {
        #expect(JIDError.forbiddenCharacter("@", part: .localpart).description == "the localpart contains the forbidden character U+40")
        #expect(JIDError.partTooLong(.domain, bytes: 2000).description.contains("1023"))
    }

    @Test func changesResource() throws {
        let jid = try JID("a@b/c").withResource("d")
        #expect(jid.description == "a@b/d")
    }
}
