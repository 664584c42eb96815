import TOMLConfig
import XMPPCore

/// What a `[[dbus]]` block tells people on its own, besides offering commands: its services'
/// signals as chat messages, and (MPRIS) what is playing as the bot's User Tune.
public struct BlockEvents: Sendable, Equatable {
    /// `interface.member` globs of the signals that become messages; empty for none.
    public var signals: [Glob]
    /// Who gets them; only those the block's rules admit are ever sent anything.
    public var notify: [AlertRecipient]
    public var template: SignalTemplate
    /// Messages per signal (and per failed unit) in any minute.
    public var rateLimit: Int
    /// `preset = "mpris"`: publish the playing track as User Tune (XEP-0118).
    public var publishesTune: Bool

    public static let defaultRateLimit = 5

    public init(
        signals: [Glob] = [], notify: [AlertRecipient] = [], template: SignalTemplate = .default,
        rateLimit: Int = defaultRateLimit, publishesTune: Bool = false
    ) {
        self.signals = signals
        self.notify = notify
        self.template = template
        self.rateLimit = rateLimit
        self.publishesTune = publishesTune
    }

    /// Whether the signal `interface.member` is one the block names.
    public func names(interface: String, member: String) -> Bool {
        let name = "\(interface).\(member)"
        return signals.contains { $0.matches(name) }
    }

    /// Every group `notify` names, for the "unknown group" warning.
    public var groupNames: Set<String> {
        Set(notify.compactMap { if case .group(let name) = $0 { name } else { nil } })
    }

    static func read(_ section: inout ConfigSection, preset: DBusBlock.Preset) throws(ConfigurationError) -> BlockEvents {
        typealias Keys = DBusBlockKeys
        let signals = try section.read(Keys.signals) ?? []
        for signal in signals where !signal.contains(".") || signal.hasPrefix(".") || signal.hasSuffix(".") {
            throw section.error(Keys.signals.name, "\"\(signal)\" is not interface.member (like org.example.Alarm.Raised, or org.example.Alarm.*)")
        }
        let notifyTexts = try section.read(Keys.notify)
        var notify: [AlertRecipient] = []
        do throws(AlertRecipientError) {
            notify = try notifyTexts.map { text throws(AlertRecipientError) in try AlertRecipient(parsing: text) }
        } catch {
            throw section.error(Keys.notify.name, error.description)
        }
        if !signals.isEmpty, notify.isEmpty {
            throw section.error(Keys.notify.name, "is required with signals: whom to tell (jid:user@host, group:NAME)")
        }
        if signals.isEmpty, !notify.isEmpty {
            throw section.error(Keys.signals.name, "is required with notify: which signals to tell them about (interface.member globs)")
        }
        let text = try section.read(Keys.template)
        let template: SignalTemplate
        do {
            template = try SignalTemplate(parsing: text)
        } catch {
            throw section.error(Keys.template.name, error.description)
        }
        let rateLimit = try section.read(Keys.rateLimit)
        let tune = try section.read(Keys.tune)
        if tune != nil, preset != .mpris {
            throw section.error(Keys.tune.name, "applies to preset = \"mpris\" only (what its players play)")
        }
        return BlockEvents(
            signals: signals.map(Glob.init), notify: notify, template: template, rateLimit: rateLimit,
            publishesTune: tune ?? (preset == .mpris))
    }
}
