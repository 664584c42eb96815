import Commands
import DBus
import TOMLConfig

/// One `[[dbus]]` block of the configuration: which services, objects, interfaces and members
/// become commands, and who may run them. Nothing is exposed that no block names.
public struct DBusBlock: Sendable, Equatable {
    public enum Preset: String, Sendable, Equatable, CaseIterable {
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

    /// How long a media-remote session may sit idle unless the block says otherwise.
    public static let defaultSessionTimeout: Duration = .seconds(4 * 3600)

    public init(
        label: String, bus: DBusBusAddress = .session, preset: Preset = .none, service: Glob, paths: [String] = [],
        interfaces: [Glob] = [], methods: [Glob] = [], properties: [Glob] = [], policy: AccessPolicy = .ownAccountOnly,
        callTimeout: Duration = DBusConnection.defaultCallTimeout, units: [String] = [], sessionTimeout: Duration = defaultSessionTimeout,
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

    /// Reads one block.
    public static func read(_ section: inout ConfigSection) throws(ConfigurationError) -> DBusBlock {
        typealias Keys = DBusBlockKeys
        let preset = try section.read(Keys.preset)
        let busText = try section.read(Keys.bus) ?? (preset == .systemd ? "system" : "session")
        guard let bus = DBusBusAddress(configValue: busText) else {
            throw section.error(Keys.bus.name, "must be \"session\", \"system\" or a D-Bus address such as unix:path=/run/user/1000/bus")
        }
        let defaultService: String? = switch preset {
        case .mpris: "org.mpris.MediaPlayer2.*"
        case .systemd: "org.freedesktop.systemd1"
        case .none: nil
        }
        guard let service = try section.read(Keys.service) ?? defaultService else {
            throw section.error(Keys.service.name, "is required: the bus name (or a glob such as org.mpris.MediaPlayer2.*) to expose")
        }
        let label = try section.read(Keys.label) ?? (preset == .mpris ? "Media remote" : preset == .systemd ? "Services" : service)
        let paths = try section.read(Keys.paths)
        for path in paths where !DBusNames.isValidObjectPath(path) {
            throw section.error(Keys.paths.name, "\"\(path)\" is not a D-Bus object path (like /org/mpris/MediaPlayer2)")
        }
        let interfaces = try section.read(Keys.interfaces).map(Glob.init)
        let methods = try section.read(Keys.methods).map(Glob.init)
        let properties = try section.read(Keys.properties).map(Glob.init)
        if preset == .none, methods.isEmpty, properties.isEmpty, try section.read(Keys.signals) == nil {
            throw section.error(Keys.methods.name, "name at least one method, property or signal glob (methods = [\"*\"] exposes all): nothing is exposed by default")
        }
        let units = try section.read(Keys.units)
        if preset == .systemd, units.isEmpty {
            throw section.error(Keys.units.name, "list the units to control, e.g. units = [\"nginx.service\"]")
        }
        for unit in units where unit.isEmpty || unit.contains("/") || unit.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            throw section.error(Keys.units.name, "\"\(unit)\" is not a unit name")
        }
        let allow = try section.read(Keys.allow)
        let deny = try section.read(Keys.deny)
        let policy: AccessPolicy
        do {
            policy = try AccessPolicy(allow: allow, deny: deny)
        } catch {
            throw section.error(Keys.allow.name, error.description)
        }
        let timeout = try section.read(Keys.timeout)
        let sessionTimeout = try section.read(Keys.sessionTimeout)
        let events = try BlockEvents.read(&section, preset: preset)
        return DBusBlock(
            label: label, bus: bus, preset: preset, service: Glob(service), paths: paths, interfaces: interfaces,
            methods: methods, properties: properties, policy: policy, callTimeout: timeout, units: units, sessionTimeout: sessionTimeout,
            events: events)
    }
}
