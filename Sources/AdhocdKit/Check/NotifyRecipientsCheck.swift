import Commands
import XMPPCore

extension ConfigurationCheck.Source {
    /// `notify` recipients the block's rules do not admit: they are sent nothing (or, for an
    /// account the rules allow only by group, only while it is in such a group).
    public static let notifyRecipients = Self(name: "D-Bus notify") { configuration, lines in
        configuration.dbus.enumerated().flatMap { index, block in
            let table = "dbus[\(index + 1)]"
            return block.events.notify.compactMap { recipient -> ConfigurationProblem? in
                guard let reach = NotifyReach.problem(recipient, policy: block.policy, account: configuration.client.account) else { return nil }
                return ConfigurationProblem(
                    severity: .warning, file: configuration.file, line: lines.line(for: "\(table).notify"),
                    problem: "\(table): notify names \(recipient), \(reach)",
                    fix: "add \(recipient) to the block's allow list if they should be told, or remove it from notify")
            }
        }
    }
}

/// Whether a `notify` recipient passes a block's rules, judged without a roster.
enum NotifyReach {
    /// What is wrong with the recipient, or nil when the rules admit it (a group they allow, an
    /// account they allow by JID).
    static func problem(_ recipient: AlertRecipient, policy: AccessPolicy, account: JID) -> String? {
        let groups = policy.allow.compactMap { if case .group(let name) = $0 { "group:\(name)" } else { nil } }
        switch recipient {
        case .account(let jid):
            if jid == account.bare { return "the bot's own account, which is never sent these" }
            if policy.deny.contains(.account(jid)) { return "whom the rules deny, so they are sent nothing" }
            if policy.allow.contains(.account(jid)) { return nil }
            if groups.isEmpty { return "whom the rules (\(policy)) do not allow, so they are sent nothing" }
            return "whom the rules (\(policy)) do not allow by JID: they are sent something only while in \(groups.joined(separator: " or "))"
        case .group(let name):
            if policy.deny.contains(.group(name)) { return "a group the rules deny, so its members are sent nothing" }
            if policy.allow.contains(.group(name)) { return nil }
            return "a group the rules (\(policy)) do not allow, so its members are sent nothing unless the rules admit them otherwise"
        }
    }
}
