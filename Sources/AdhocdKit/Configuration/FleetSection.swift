import Fleet
import HostMetrics
import TOMLConfig
import XMPPCore

/// `[fleet]`, declared once: `readFleet` reads it, `make docs` writes the reference from it.
enum FleetKeys {
    static let room = ConfigKey.required("room", .string, "The room's bare JID, such as `fleet@conference.example.org`.")
    static let nick = ConfigKey(
        "nick", .string, documented: "the host name up to its first dot",
        "The nick asked for. When it is taken the bot tries `nick-2`, `nick-3` … `nick-9` and logs the nick it got. At most \(FleetSettings.maximumNickLength) characters valid in a JID resource.")
    static let passwordFile = ConfigKey(
        "password_file", .string,
        "A file holding the room's password (one trailing newline is ignored; never logged; a warning when others can read it).")
    static let rateBurst = ConfigKey(
        "rate_burst", .integer(1...100), default: FleetSettings.defaultRateBurst,
        "Messages this bot may send to the room at once; past it, answers are dropped (and logged once a minute) until the bucket refills.")
    static let rateInterval = ConfigKey(
        "rate_interval", .number(0.1...3600, unit: "seconds"), default: FleetSettings.defaultRateInterval, "Seconds per further room message.")
    static let joinTimeout = ConfigKey(
        "join_timeout", .seconds(1...600), default: RoomMembership.defaultJoinTimeout,
        "Seconds the room has to answer a join. Unanswered (the room's service is down or slow, or its domain is no multi-user chat service), the bot logs a warning and joins again after 2 s, 4 s … up to 5 minutes. Raise it for a room on a slow remote server.")

    static let table = ConfigTable("[fleet]", keys: [room, nick, passwordFile, rateBurst, rateInterval, joinTimeout])
}

extension DaemonConfiguration {
    static func readFleet(
        _ section: inout ConfigSection, warnings: inout [String], hostName: String = HostReader.hostname()
    ) throws(ConfigurationError) -> FleetSettings {
        let roomText = try section.read(FleetKeys.room)
        guard let room = try? JID(roomText), room.isBare, room.localpart != nil else {
            throw section.error(FleetKeys.room.name, "expected a room's bare JID such as \"fleet@conference.example.org\", found \"\(roomText)\"")
        }
        let nick = try section.read(FleetKeys.nick) ?? String(hostName.prefix { $0 != "." })
        guard !nick.isEmpty, nick.count <= FleetSettings.maximumNickLength,
              (try? JID(localpart: room.localpart, domain: room.domain, resource: nick)) != nil
        else {
            throw section.error(
                FleetKeys.nick.name, "\"\(nick)\" cannot be a nick: use 1 to \(FleetSettings.maximumNickLength) characters valid in a JID resource")
        }
        var settings = FleetSettings(room: room, nick: nick)
        if let path = try section.read(FleetKeys.passwordFile) {
            settings.password = try readSecretFile(
                path, key: FleetKeys.passwordFile.name, in: section, what: "the fleet room's password", warnings: &warnings)
        }
        settings.rateBurst = try section.read(FleetKeys.rateBurst)
        settings.rateInterval = try section.read(FleetKeys.rateInterval)
        settings.joinTimeout = try section.read(FleetKeys.joinTimeout)
        return settings
    }
}
