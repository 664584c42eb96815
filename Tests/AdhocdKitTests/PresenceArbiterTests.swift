import HealthMonitor
import Testing
import XMPPClient
import XMPPCore
@testable import AdhocdKit

/// Who sets the presence: set-presence, else the monitor, else [presence]. The client is never
/// connected here; it keeps what it would send.
@Suite struct PresenceArbiterTests {
    let client = XMPPClient(configuration: ClientConfiguration(account: try! JID("bot@example.org"), password: Secret("x")))
    let configured = PresenceSettings(show: .online, status: "Ready", priority: 5)

    @Test func theMonitorOwnsShowAndStatusUntilSomeoneSetsThemByHand() async {
        let arbiter = PresenceArbiter(configured: configured, client: client)
        // Until the monitor's first check, the configured presence.
        await arbiter.monitorStarted()
        #expect(arbiter.effective == configured)

        await arbiter.publish(HealthPresence(show: .away, status: "load 3.1 (warning)"))
        #expect(client.presence == PresenceSettings(show: .away, status: "load 3.1 (warning)", priority: 5))

        await arbiter.setManually(PresenceSettings(show: .xa, status: "maintenance", priority: 5))
        await arbiter.publish(HealthPresence(show: .dnd, status: "/ 97% (critical)"))
        #expect(client.presence.status == "maintenance")

        await arbiter.resumeAutomatic()
        #expect(client.presence == PresenceSettings(show: .dnd, status: "/ 97% (critical)", priority: 5))

        // The monitor switched off by a reload: back to [presence].
        await arbiter.monitorStopped()
        #expect(client.presence == configured)
        #expect(!arbiter.monitorIsRunning)
    }

    @Test func aReloadedPresenceSectionEndsAManualChoice() async {
        let arbiter = PresenceArbiter(configured: configured, client: client)
        await arbiter.setManually(PresenceSettings(show: .dnd, status: "busy", priority: 0))
        #expect(client.presence.show == .dnd)
        let reloaded = PresenceSettings(show: .chat, status: "Hello", priority: 1)
        await arbiter.configure(reloaded)
        #expect(client.presence == reloaded)
    }
}
