import DBus
import TOMLConfig

/// The keys of a `[[dbus]]` block, declared once for `DBusBlock.read`, `BlockEvents.read` and
/// the reference.
public enum DBusBlockKeys {
    static let label = ConfigKey(
        "label", .string, documented: "the service (`Media remote`, `Services` for presets)", "Prefix of the command names clients show.")
    static let bus = ConfigKey(
        "bus", .string.described(as: "`session`, `system` or a D-Bus address"),
        documented: "`\"session\"` (`\"system\"` for `preset = \"systemd\"`)",
        "`session`, `system`, or a D-Bus address such as `unix:path=/run/user/1000/bus`.")
    static let preset = ConfigKey(
        "preset", .choice(DBusBlock.Preset.self) { "must be \"mpris\", \"systemd\" or left out, found \"\($0)\"" }, default: .none,
        "`none`: commands from introspection, for the members that `methods`, `properties` and `signals` name. `mpris`: one \"Media remote\" command for every matching player (node `mpris/remote`), built for phones. `systemd`: status, start, stop and restart of `units` (nodes `systemd/UNIT/ACTION`); stop and restart ask for confirmation.")
    static let service = ConfigKey(
        "service", .string, documented: "required (`org.mpris.MediaPlayer2.*` for `mpris`, `org.freedesktop.systemd1` for `systemd`)",
        "Bus name or glob (`*` any run of characters, `?` one). Services that appear later are picked up at once, and their commands vanish when they leave the bus.")
    static let paths = ConfigKey(
        "paths", .strings, default: [], documented: "walk from `/`",
        "Object paths to introspect (a walk reads at most 256 objects, 16 levels deep).")
    static let interfaces = ConfigKey(
        "interfaces", .strings, default: [], documented: "all but the standard `org.freedesktop.DBus.*` ones", "Interface globs.")
    static let methods = ConfigKey(
        "methods", .strings, default: [], documented: "none", "Method-name globs; each match becomes a command (`[\"*\"]` for all).")
    static let properties = ConfigKey(
        "properties", .strings, default: [], documented: "none",
        "Property globs: one command reads them all as a result form; each writable one gets a \"set\" command with a form pre-filled with its current value.")
    static let allow = ConfigKey("allow", .strings, default: [], documented: "`[\"self\"]`", "")
    static let deny = ConfigKey("deny", .strings, default: [], "")
    static let timeout = ConfigKey(
        "timeout", .seconds(0.1...600), default: DBusConnection.defaultCallTimeout, "Seconds a D-Bus call may take.")
    static let sessionTimeout = ConfigKey(
        "session_timeout", .seconds(60...7 * 86_400), default: DBusBlock.defaultSessionTimeout,
        "Idle seconds before a media-remote session closes.")
    static let units = ConfigKey(
        "units", .strings, default: [], documented: "none",
        "For `preset = \"systemd\"`: the unit names to control, e.g. `[\"nginx.service\"]`. A unit entering `failed` is announced to `[monitor] alerts` at once, with its last journal lines ([events](dbus.md#events-signals-the-user-tune-failed-units)).")
    static let signals = ConfigKey(
        "signals", .strings, documented: "`[]`",
        "`interface.member` globs (`[\"org.example.Alarm.*\"]`): each emission by the block's services (on its `paths`, when listed) becomes a chat message to `notify`. A block may name only signals.")
    static let notify = ConfigKey(
        "notify", .strings, default: [],
        "Who gets those messages: `jid:user@host`, `group:NAME` (that group's members at the moment). Only those the block's `allow`/`deny` admit are ever sent one; `adhocd check` warns about the others. Required with `signals`.")
    static let template = ConfigKey(
        "template", .string, default: SignalTemplate.default.source,
        "The message: `{arg0}`, `{arg1}`… (the signal's arguments, as result forms show D-Bus values), `{args}` (all, comma-separated), `{sender}` (the service's bus name), `{path}`, `{interface}`, `{member}`, `{label}`; `{{` and `}}` for braces.")
    static let rateLimit = ConfigKey(
        "rate_limit", .integer(1...600), default: BlockEvents.defaultRateLimit,
        "Messages per signal (and failure alerts per unit) in any minute; the next one sent says how many were held back.")
    static let tune = ConfigKey(
        "tune", .boolean, documented: "`true` for `preset = \"mpris\"`",
        "Publish the playing track as the bot's User Tune (XEP-0118 over PEP, for presence subscribers only), an empty tune when nothing plays. `false` switches it off; only `mpris` blocks take it.")

    public static let table = ConfigTable("[[dbus]]", keys: [
        label, bus, preset, service, paths, interfaces, methods, properties,
        KeyRow(together: [allow, deny], "Rules, as for built-in commands."),
        timeout, sessionTimeout, units, signals, notify, template, rateLimit, tune,
    ])
}
