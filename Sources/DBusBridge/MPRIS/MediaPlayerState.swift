import DBus

/// What a player is doing, read from its MPRIS `Player` properties.
struct MediaPlayerState: Sendable, Equatable {
    var status: String
    var title: String?
    var artists: [String]
    var album: String?
    /// 0…1 (MPRIS: 1.0 is 100 %).
    var volume: Double?
    /// Microseconds, as MPRIS counts them.
    var position: Int64?
    var length: Int64?
    var trackNumber: Int64?

    init(properties: [String: DBusValue]) {
        status = properties["PlaybackStatus"]?.stringValue ?? "Unknown"
        volume = properties["Volume"]?.doubleValue
        position = properties["Position"]?.int64Value
        let metadata = properties["Metadata"]?.stringKeyedValue ?? [:]
        title = metadata["xesam:title"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        // A list by the specification; some players send one string.
        let artist = metadata["xesam:artist"]
        artists = (artist?.arrayValue?.compactMap(\.stringValue) ?? artist?.stringValue.map { [$0] } ?? []).filter { !$0.isEmpty }
        album = metadata["xesam:album"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        length = metadata["mpris:length"]?.int64Value
        trackNumber = metadata["xesam:trackNumber"]?.int64Value
    }

    var isPlaying: Bool { status == "Playing" }

    /// One line for a status note: "Playing: Title — Artist".
    var summary: String {
        var text = status
        if let title { text += ": \(title)" }
        if !artists.isEmpty { text += " — " + artists.joined(separator: ", ") }
        return text
    }

    var volumeText: String? {
        volume.map { "\(Int(($0 * 100).rounded())) %" }
    }

    var positionText: String? {
        guard let position else { return nil }
        let elapsed = Self.clock(position)
        guard let length, length > 0 else { return elapsed }
        return "\(elapsed) / \(Self.clock(length))"
    }

    static func clock(_ microseconds: Int64) -> String {
        let seconds = max(0, microseconds / 1_000_000)
        let hours = seconds / 3600, minutes = (seconds / 60) % 60, rest = seconds % 60
        let two = { (value: Int64) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(two(minutes)):\(two(rest))" : "\(minutes):\(two(rest))"
    }
}

/// The buttons of the remote, in the order a phone shows them.
enum MediaAction: String, CaseIterable, Sendable {
    case playPause = "play-pause"
    case previous, next, stop
    case volumeDown = "volume-down"
    case volumeUp = "volume-up"
    case seekBack = "seek-back"
    case seekForward = "seek-forward"
    case refresh

    var label: String {
        switch self {
        case .playPause: "⏯ Play/Pause"
        case .previous: "⏮ Previous"
        case .next: "⏭ Next"
        case .stop: "⏹ Stop"
        case .volumeDown: "🔉 Volume −"
        case .volumeUp: "🔊 Volume +"
        case .seekBack: "⏪ −10 s"
        case .seekForward: "⏩ +30 s"
        case .refresh: "↻ Refresh"
        }
    }

    /// Actions whose effect the player reports asynchronously (status or track).
    var changesPlayback: Bool {
        switch self {
        case .playPause, .previous, .next, .stop: true
        case .volumeDown, .volumeUp, .seekBack, .seekForward, .refresh: false
        }
    }

    static let volumeStep = 0.1
    static let backMicroseconds: Int64 = -10_000_000
    static let forwardMicroseconds: Int64 = 30_000_000
}
