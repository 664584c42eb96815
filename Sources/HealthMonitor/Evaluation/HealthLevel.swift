import XMPPCore

/// How the machine is doing, worst last so levels compare and the worst one wins.
public enum HealthLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case ok, warning, critical

    public static func < (lhs: HealthLevel, rhs: HealthLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The presence `show` contacts see: available, away, do not disturb.
    public var show: Presence.Show {
        switch self {
        case .ok: .online
        case .warning: .away
        case .critical: .dnd
        }
    }

    public var description: String {
        switch self {
        case .ok: "ok"
        case .warning: "warning"
        case .critical: "critical"
        }
    }
}
