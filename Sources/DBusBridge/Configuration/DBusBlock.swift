import Commands
import DBus
import TOMLConfig

/// One `[[dbus]]` block of the configuration: which services, objects, interfaces and members
/// become commands, and who may run them. Nothing is exposed that no block names.
public struct DBusBlock: Sendable, Equatable {
    public enum Preset: String, Sendable, Equatable {
        /// Commands straight from introspection.
        case none
        /// One "Media remote" command driving MPRIS players.
        case mpris
        /// Status, start, stop and restart for listed systemd units.
        case systemd
    }

    public var label: String
    public var bus: DBusBusAddress
    public var preset: Preset
    public var service: Glob
    /// Objects to introspect; empty walks the tree from `/`.
    public var paths: [String]
    public var interfaces: [Glob]
    public var methods: [Glob]
    public var properties: [Glob]
    public var policy: AccessPolicy
    public var callTimeout: Duration
    /// For `preset = "systemd"`.
    public var units: [String]
    /// How long a media-remote session may sit idle.
    public var sessionTimeout: Duration
    /// Signals as messages, the User Tune.
    public var events: BlockEvents

    public init(
        label: String, bus: DBusBusAddress = .session, preset: Preset = .none, service: Glob, paths: [String] = [],
        interfaces: [Glob] = [], methods: [Glob] = [], properties: [Glob] = [], policy: AccessPolicy = .ownAccountOnly,
        callTimeout: Duration = DBusConnection.defaultCallTimeout, units: [String] = [], sessionTimeout: Duration = .seconds(4 * 3600),
        events: BlockEvents? = nil
    ) {
        self.label = label
        self.bus = bus
        self.preset = preset
        self.service = service
        self.paths = paths
        self.interfaces = interfaces
        self.methods = methods
        self.properties = properties
        self.policy = policy
        self.callTimeout = callTimeout
        self.units = units
        self.sessionTimeout = sessionTimeout
        self.events = events ?? BlockEvents(publishesTune: preset == .mpris)
    }

    /// Reads one block; `index` names it in errors.
    public static func read(_ section: inout ConfigSection) throws(ConfigurationError) -> DBusBlock {
        let presetText = try section.string("preset") ?? "none"
        guard let preset = Preset(rawValue: presetText) else {
            throw section.error("preset", "must be \"mpris\", \"systemd\" or left out, found \"\(presetText)\"")
        }
        let busText = try section.string("bus") ?? (preset == .systemd ? "system" : "session")
        guard let bus = DBusBusAddress(configValue: busText) else {
            throw section.error("bus", "must be \"session\", \"system\" or a D-Bus address such as unix:path=/run/user/1000/bus")
        }
        let defaultService: String? = switch preset {
        case .mpris: "org.mpris.MediaPlayer2.*"
        case .systemd: "org.freedesktop.systemd1"
        case .none: nil
        }
        guard let service = try section.string("service") ?? defaultService else {
            throw section.error("service", "is required: the bus name (or a glob such as org.mpris.MediaPlayer2.*) to expose")
        }
        let label = try section.string("label") ?? (preset == .mpris ? "Media remote" : preset == .systemd ? "Services" : service)
        let paths = try section.stringList("paths") ?? []
        for path in paths where !DBusNames.isValidObjectPath(path) {
            throw section.error("paths", "\"\(path)\" is not a D-Bus object path (like /org/mpris/MediaPlayer2)")
        }
        let interfaces = (try section.stringList("interfaces") ?? []).map(Glob.init)
        let methods = (try section.stringList("methods") ?? []).map(Glob.init)
        let properties = (try section.stringList("properties") ?? []).map(Glob.init)
        if preset == .none, methods.isEmpty, properties.isEmpty, try section.stringList("signals") == nil {
            throw section.error("methods", "name at least one method, property or signal glob (methods = [\"*\"] exposes all): nothing is exposed by default")
        }
        let units = try section.stringList("units") ?? []
        if preset == .systemd, units.isEmpty {
            throw section.error("units", "list the units to control, e.g. units = [\"nginx.service\"]")
        }
        for unit in units where unit.isEmpty || unit.contains("/") || unit.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            throw section.error("units", "\"\(unit)\" is not a unit name")
        }
        let allow = try section.stringList("allow") ?? []
        let deny = try section.stringList("deny") ?? []
        let policy: AccessPolicy
        do {
            policy = try AccessPolicy(allow: allow, deny: deny)
        } catch {
            throw section.error("allow", error.description)
        }
        let timeout = try section.seconds("timeout", in: 0.1...600) ?? DBusConnection.defaultCallTimeout
        let sessionTimeout = try section.seconds("session_timeout", in: 60...7 * 86_400) ?? .seconds(4 * 3600)
        let events = try BlockEvents.read(&section, preset: preset)
        return DBusBlock(
            label: label, bus: bus, preset: preset, service: Glob(service), paths: paths, interfaces: interfaces,
            methods: methods, properties: properties, policy: policy, callTimeout: timeout, units: units, sessionTimeout: sessionTimeout,
            events: events)
    }
}
