import XMPPCore

/// The availability a person may set through `set-presence`.
public struct PresenceChoice: Sendable, Equatable {
    public var show: Presence.Show
    public var status: String?
    public var priority: Int

    public init(show: Presence.Show, status: String?, priority: Int) {
        self.show = show
        self.status = status
        self.priority = priority
    }
}

/// Reads and changes the bot's presence; the daemon wires it to the XMPP client.
public struct PresenceControl: Sendable {
    public var current: @Sendable () -> PresenceChoice
    /// Sets a presence by hand; while something sets it automatically (the health monitor),
    /// this overrides it until `resumeAutomatic`.
    public var change: @Sendable (PresenceChoice) async -> Void
    /// Whether something sets show and status by itself right now.
    public var automaticIsActive: @Sendable () -> Bool
    /// Ends a manual override: show and status follow the automatic source again.
    public var resumeAutomatic: @Sendable () async -> Void

    public init(
        current: @escaping @Sendable () -> PresenceChoice,
        change: @escaping @Sendable (PresenceChoice) async -> Void,
        automaticIsActive: @escaping @Sendable () -> Bool = { false },
        resumeAutomatic: @escaping @Sendable () async -> Void = {}
    ) {
        self.current = current
        self.change = change
        self.automaticIsActive = automaticIsActive
        self.resumeAutomatic = resumeAutomatic
    }
}
