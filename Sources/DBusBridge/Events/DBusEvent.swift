import Commands
import XMPPCore

/// Something on a bus that people should hear about. The bridge only reports it; the daemon
/// decides how it reaches them (a chat message, the bot's User Tune).
public enum DBusEvent: Sendable, Equatable {
    /// A signal a block's `signals` names, already worded and rate-limited.
    case signal(SignalNotice)
    /// What plays now, for the bot's User Tune; nil when nothing does.
    case nowPlaying(Track?)
    /// A unit of a `preset = "systemd"` block entered the `failed` state.
    case unitFailed(UnitFailure)
}

/// A signal's message and whom it is for.
public struct SignalNotice: Sendable, Equatable {
    /// The message, from the block's template; it ends with a note of held-back ones, if any.
    public var text: String
    /// The block's `notify` list.
    public var recipients: [AlertRecipient]
    /// The block's rules: nobody they do not admit gets the message, whatever `notify` says.
    public var policy: AccessPolicy
    /// `interface.member`, for the log.
    public var signal: String
    /// The bus name the signal came from, for the log.
    public var service: String

    public init(text: String, recipients: [AlertRecipient], policy: AccessPolicy, signal: String, service: String) {
        self.text = text
        self.recipients = recipients
        self.policy = policy
        self.signal = signal
        self.service = service
    }
}

/// The track a media player plays, in the terms of XEP-0118 User Tune.
public struct Track: Sendable, Equatable {
    public var artist: String?
    public var title: String?
    /// The album (XEP-0118 "source").
    public var source: String?
    /// Whole seconds.
    public var length: Int?
    /// The track number, as text.
    public var track: String?

    public init(artist: String? = nil, title: String? = nil, source: String? = nil, length: Int? = nil, track: String? = nil) {
        self.artist = artist
        self.title = title
        self.source = source
        self.length = length
        self.track = track
    }

    /// Nothing worth showing: no artist, title or album.
    public var isBlank: Bool { artist == nil && title == nil && source == nil }
}

/// A unit that failed, as the bridge saw it change.
public struct UnitFailure: Sendable, Equatable {
    public var unit: String
    /// The state before, such as `active`; nil when it could not be read.
    public var previousState: String?
    /// systemd's sub-state now, such as `failed`; nil when it could not be read.
    public var subState: String?
    /// Failures of this unit not announced since the last one (rate limit).
    public var heldBack: Int

    public init(unit: String, previousState: String?, subState: String?, heldBack: Int = 0) {
        self.unit = unit
        self.previousState = previousState
        self.subState = subState
        self.heldBack = heldBack
    }
}
