import XMPPCore

/// What the monitor shows contacts: a `show` and a status text.
public struct HealthPresence: Sendable, Equatable {
    public var show: Presence.Show
    public var status: String

    public init(show: Presence.Show, status: String) {
        self.show = show
        self.status = status
    }

    public init(report: HealthReport, format: StatusFormat, host: String) {
        self.init(show: report.level.show, status: format.render(report, host: host))
    }
}
