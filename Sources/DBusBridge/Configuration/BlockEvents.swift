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
        let signals = try section.stringList("signals") ?? []
        for signal in signals where !signal.contains(".") || signal.hasPrefix(".") || signal.hasSuffix(".") {
            throw section.error("signals", "\"\(signal)\" is not interface.member (like org.example.Alarm.Raised, or org.example.Alarm.*)")
        }
        let notifyTexts = try section.stringList("notify") ?? []
        var notify: [AlertRecipient] = []
        do throws(AlertRecipientError) {
            notify = try notifyTexts.map { text throws(AlertRecipientError) in try AlertRecipient(parsing: text) }
        } catch {
            throw section.error("notify", error.description)
        }
        if !signals.isEmpty, notify.isEmpty {
            throw section.error("notify", "is required with signals: whom to tell (jid:user@host, group:NAME)")
        }
        if signals.isEmpty, !notify.isEmpty {
            throw section.error("signals", "is required with notify: which signals to tell them about (interface.member globs)")
        }
        var template = SignalTemplate.default
        if let text = try section.string("template") {
            do {
                template = try SignalTemplate(parsing: text)
            } catch {
                throw section.error("template", error.description)
            }
        }
        let rateLimit = try section.integer("rate_limit", in: 1...600) ?? defaultRateLimit
        let tune = try section.bool("tune")
        if tune != nil, preset != .mpris {
            throw section.error("tune", "applies to preset = \"mpris\" only (what its players play)")
        }
        return BlockEvents(
            signals: signals.map(Glob.init), notify: notify, template: template, rateLimit: rateLimit,
            publishesTune: tune ?? (preset == .mpris))
    }
}
