import HealthMonitor
import Synchronization
import XMPPClient

/// Decides the bot's presence among the three that may set it, and sends it when it changes.
///
/// A presence chosen through `set-presence` wins until it is handed back; otherwise, while the
/// health monitor runs, its show and status (with the configured priority); otherwise the
/// `[presence]` section. Until the monitor's first round, the configured presence shows.
final class PresenceArbiter: Sendable {
    private struct State {
        var configured: PresenceSettings
        var manual: PresenceSettings?
        var monitorIsRunning = false
        var monitored: HealthPresence?

        var effective: PresenceSettings {
            if let manual { return manual }
            if monitorIsRunning, let monitored {
                return PresenceSettings(show: monitored.show, status: monitored.status, priority: configured.priority)
            }
            return configured
        }
    }

    private let state: Mutex<State>
    private let client: XMPPClient
    /// Only the latest presence waits for a slow reader.
    private let watchers = EventBroadcaster<PresenceSettings>(bufferSize: 1)

    init(configured: PresenceSettings, client: XMPPClient) {
        state = Mutex(State(configured: configured))
        self.client = client
    }

    var effective: PresenceSettings { state.withLock { $0.effective } }

    var monitorIsRunning: Bool { state.withLock { $0.monitorIsRunning } }

    /// A reload changed `[presence]`: it applies again, replacing a manual choice, as before
    /// the monitor existed.
    func configure(_ settings: PresenceSettings) async {
        await update {
            $0.configured = settings
            $0.manual = nil
        }
    }

    /// `set-presence`.
    func setManually(_ settings: PresenceSettings) async {
        await update { $0.manual = settings }
    }

    /// `set-presence` with "Back to the health monitor".
    func resumeAutomatic() async {
        await update { $0.manual = nil }
    }

    func monitorStarted() async {
        await update { $0.monitorIsRunning = true }
    }

    func monitorStopped() async {
        await update {
            $0.monitorIsRunning = false
            $0.monitored = nil
        }
    }

    /// The monitor's latest (already rate-limited) presence.
    func publish(_ presence: HealthPresence) async {
        await update { $0.monitored = presence }
    }

    /// Every presence the arbiter sends from now on (the fleet room follows them).
    func changes() -> AsyncStream<PresenceSettings> {
        watchers.subscribe()
    }

    private func update(_ change: (inout State) -> Void) async {
        let (before, after) = state.withLock { state in
            let before = state.effective
            change(&state)
            return (before, state.effective)
        }
        guard after != before else { return }
        await client.setPresence(after)
        watchers.yield(after)
    }
}
