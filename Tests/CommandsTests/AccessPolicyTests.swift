import CommandTestKit
import Testing
import XMPPCore
@testable import Commands

@Suite struct AccessPolicyTests {
    let directory = StaticGroupDirectory([
        try! JID("alice@example.org"): ["coloc"],
        try! JID("bob@example.org"): ["coloc", "banned"],
    ])

    func permits(_ policy: AccessPolicy, _ jid: String) throws -> Bool {
        policy.permits(try JID(jid), account: Fixture.bot, directory: directory)
    }

    @Test func parsesRules() throws {
        #expect(try AccessRule(parsing: "self") == .ownAccount)
        #expect(try AccessRule(parsing: " group:coloc ") == .group("coloc"))
        #expect(try AccessRule(parsing: "group:Living Room") == .group("Living Room"))
        #expect(try AccessRule(parsing: "jid:Admin@Example.org") == .account(try JID("admin@example.org")))
        #expect(throws: AccessRuleError.unknownForm("everyone")) { try AccessRule(parsing: "everyone") }
        #expect(throws: AccessRuleError.emptyGroup("group:")) { try AccessRule(parsing: "group:") }
        #expect(throws: AccessRuleError.fullJID("jid:a@b/c")) { try AccessRule(parsing: "jid:a@b/c") }
        #expect(throws: AccessRuleError.self) { try AccessRule(parsing: "jid:a b@c") }
    }

    @Test func defaultsToTheOwnAccountOnly() throws {
        let policy = try AccessPolicy(allow: [String](), deny: [])
        #expect(policy == .ownAccountOnly)
        #expect(try permits(policy, "bot@example.org/phone"))
        #expect(try !permits(policy, "alice@example.org/laptop"))
    }

    @Test func groupsAndAccountsGrant() throws {
        let policy = try AccessPolicy(allow: ["group:coloc", "jid:carol@example.org"], deny: [])
        #expect(try permits(policy, "alice@example.org/laptop"))
        #expect(try permits(policy, "carol@example.org/x"))
        #expect(try !permits(policy, "dave@example.org/x"))
        // Own account is not implied once rules are given.
        #expect(try !permits(policy, "bot@example.org/phone"))
    }

    @Test func denyWins() throws {
        let policy = try AccessPolicy(allow: ["group:coloc"], deny: ["group:banned"])
        #expect(try permits(policy, "alice@example.org/a"))
        #expect(try !permits(policy, "bob@example.org/b"))
        let denyAccount = try AccessPolicy(allow: ["group:coloc"], deny: ["jid:alice@example.org"])
        #expect(try !permits(denyAccount, "alice@example.org/a"))
    }

    @Test func anUnknownGroupGrantsNothing() throws {
        let policy = try AccessPolicy(allow: ["group:nobody-has-this"], deny: [])
        #expect(try !permits(policy, "alice@example.org/a"))
        #expect(policy.groupNames == ["nobody-has-this"])
    }
}
