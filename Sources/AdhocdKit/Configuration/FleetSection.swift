import Fleet
import HostMetrics
import TOMLConfig
import XMPPCore

extension DaemonConfiguration {
    /// `[fleet]`: `room` (required), `nick` (default: the host name up to its first dot),
    /// `password_file`, `rate_burst`, `rate_interval`.
    static func readFleet(
        _ section: inout ConfigSection, warnings: inout [String], hostName: String = HostProbe.hostname()
    ) throws(ConfigurationError) -> FleetSettings {
        let roomText = try section.requiredString("room")
        guard let room = try? JID(roomText), room.isBare, room.localpart != nil else {
            throw section.error("room", "expected a room's bare JID such as \"fleet@conference.example.org\", found \"\(roomText)\"")
        }
        let defaultNick = String(hostName.prefix { $0 != "." })
        let nick = try section.string("nick") ?? defaultNick
        guard !nick.isEmpty, nick.count <= FleetSettings.maximumNickLength,
              (try? JID(localpart: room.localpart, domain: room.domain, resource: nick)) != nil
        else {
            throw section.error("nick", "\"\(nick)\" cannot be a nick: use 1 to \(FleetSettings.maximumNickLength) characters valid in a JID resource")
        }
        var settings = FleetSettings(room: room, nick: nick)
        if let path = try section.string("password_file") {
            settings.password = try readSecretFile(path, key: "password_file", in: section, what: "the fleet room's password", warnings: &warnings)
        }
        if let burst = try section.integer("rate_burst", in: 1...100) { settings.rateBurst = burst }
        if let interval = try section.number("rate_interval", in: 0.1...3600, unit: "seconds") { settings.rateInterval = interval }
        return settings
    }
}
