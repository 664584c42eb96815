/// Why a D-Bus operation failed, in words for the person who asked for it.
public enum DBusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The service answered with an error (`org.freedesktop.DBus.Error.UnknownMethod`, …).
    case remote(name: String, message: String)
    /// No reply within the call's time limit.
    case timedOut(member: String, seconds: Double)
    /// The service left the bus before it replied.
    case serviceVanished(member: String)
    /// The bus connection is closed or was lost.
    case disconnected
    case connectionFailed(String)
    /// Arguments adhocd refused to send (they would be invalid D-Bus).
    case invalidArgument(String)
    /// A reply that doesn't have the shape the caller needs.
    case unexpectedReply(String)
    case unsupported(String)
    /// The task waiting for the reply was cancelled.
    case cancelled
    case outOfMemory

    public var description: String {
        switch self {
        case .remote(let name, let message):
            message.isEmpty ? name : "\(name): \(message)"
        case .timedOut(let member, let seconds):
            "\(member) did not answer within \(Self.format(seconds)) s"
        case .serviceVanished(let member):
            "the service left the bus before answering \(member)"
        case .disconnected:
            "the D-Bus connection is closed"
        case .connectionFailed(let reason):
            "cannot connect to D-Bus: \(reason)"
        case .invalidArgument(let reason):
            "invalid argument: \(reason)"
        case .unexpectedReply(let reason):
            "unexpected reply: \(reason)"
        case .unsupported(let reason):
            reason
        case .cancelled:
            "cancelled"
        case .outOfMemory:
            "out of memory"
        }
    }

    /// Standard error names the bridge reacts to.
    public static let serviceUnknown = "org.freedesktop.DBus.Error.ServiceUnknown"
    public static let unknownMethod = "org.freedesktop.DBus.Error.UnknownMethod"
    public static let unknownObject = "org.freedesktop.DBus.Error.UnknownObject"
    public static let noReply = "org.freedesktop.DBus.Error.NoReply"
    public static let nameHasNoOwner = "org.freedesktop.DBus.Error.NameHasNoOwner"

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
