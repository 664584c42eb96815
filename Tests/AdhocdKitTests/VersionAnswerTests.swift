import Logging
import Testing
import XMPPCore
@testable import AdhocdKit
@testable import XMPPClient

/// `jabber:iq:version` answers only contacts some command rule admits (docs/security.md): on
/// the roster of the session that asks, never on the last connection's.
@Suite struct VersionAnswerTests {
    static let configuration = """
    [account]
    jid = "bot@example.org"
    password = "secret"

    [commands.status]
    allow = ["group:admins"]

    [commands_d]
    directory = "/nonexistent/adhocd-version-test"
    """

    let eve = (try? JID("eve@example.org/phone"))!

    func versionRequest() -> IQ {
        IQ(.get, id: "v1", payload: XMLElement("query", namespace: "jabber:iq:version"))
    }

    @Test func aContactRemovedWhileTheBotWasAwayIsNotAnsweredOnTheOldRoster() async throws {
        let daemon = Daemon(configuration: try DaemonConfiguration.parse(Self.configuration, file: "adhocd.toml"), logger: Logger(label: "test"))
        let router = daemon.client.router
        daemon.client.roster.load([RosterItem(jid: eve.bare, groups: ["admins"])])
        let admitted = await router.answer(versionRequest(), sender: eve)
        #expect(admitted?.kind == .result)

        // A new login; eve left admins meanwhile, which only the new roster says.
        daemon.client.roster.markStale()
        let waiting = await router.answer(versionRequest(), sender: eve)
        #expect(waiting?.error == IQRouter.rosterLoading)
        daemon.client.roster.load([RosterItem(jid: eve.bare)])
        let refused = await router.answer(versionRequest(), sender: eve)
        #expect(refused?.error?.condition == .serviceUnavailable)
    }
}
