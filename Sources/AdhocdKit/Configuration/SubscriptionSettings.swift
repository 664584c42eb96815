import Commands
import TOMLConfig

/// Who may see the bot's presence, besides everyone some command's rules admit
/// (`[presence] subscribers` and `other_requests`).
public struct SubscriptionSettings: Sendable, Equatable {
    /// What becomes of a request nobody's rules admit.
    public enum OtherRequests: String, Sendable, CaseIterable {
        /// Refused at once (`unsubscribed`); logged.
        case decline
        /// Left for a person to answer from another client; logged.
        case pending
    }

    /// Extra rules (`jid:…`, `group:…`) admitting contacts who may run no command.
    public var subscribers: AccessPolicy = AccessPolicy(allow: [])
    public var otherRequests: OtherRequests = .decline

    public init() {}

    /// Reads the two keys from `[presence]`.
    static func read(_ section: inout ConfigSection) throws(ConfigurationError) -> SubscriptionSettings {
        var settings = SubscriptionSettings()
        let rules = try section.read(PresenceKeys.subscribers)
        do throws(AccessRuleError) {
            settings.subscribers = AccessPolicy(allow: try rules.map { text throws(AccessRuleError) in try AccessRule(parsing: text) })
        } catch {
            throw section.error(PresenceKeys.subscribers.name, error.description)
        }
        settings.otherRequests = try section.read(PresenceKeys.otherRequests)
        return settings
    }
}
