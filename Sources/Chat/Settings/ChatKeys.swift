import TOMLConfig

/// The keys of `[chat]`, declared once: `ChatSettings.read` reads them, `make docs` writes the
/// reference from them.
public enum ChatKeys {
    private static let defaults = ChatSettings()

    static let enabled = ConfigKey(
        "enabled", .boolean, default: defaults.enabled,
        "`false`: chat messages get no answer at all, and the bot stops advertising receipts and chat states.")
    static let aliases = ConfigKey(
        "aliases", .table(nil),
        "A table of one-word shortcuts for a command line: `aliases = { pause = \"mpris/remote action=play-pause\" }` (or a `[chat.aliases]` table). The word, any case, runs that node with those values; what follows the word is appended. `help`, `?`, `commands`, `cancel`, `back` and `done` cannot be aliases. An alias to a node the contact may not run is no command for them. `adhocd check` and the daemon's start-up warn about an alias whose node no command has.")
    static let staleAfter = ConfigKey(
        "stale_after", .number(1...86_400, unit: "seconds"), default: defaults.staleAfter,
        "Seconds. A line delivered with a `<delay/>` older than this (offline storage while the bot was down, a replay) is never run; the contact hears once, for all such lines together, what was not run.")
    static let allow = ConfigKey(
        "allow", .strings, documented: "whoever some command's rules admit",
        "Who may chat at all, in the rule syntax (`self`, `group:NAME`, `jid:user@host`). Anyone else gets no answer whatsoever. Each command still follows its own rules.")
    static let deny = ConfigKey("deny", .strings, default: [], "Who never gets an answer, whatever `allow` says.")
    static let rateBurst = ConfigKey(
        "rate_burst", .integer(1...1000), default: defaults.rateBurst,
        "Lines a contact may send at once; past it, one \"slow down\" answer, then silence until the bucket refills.")
    static let rateInterval = ConfigKey(
        "rate_interval", .number(0.01...3600, unit: "seconds"), default: defaults.rateInterval,
        "Seconds per further line (the bucket refills one line per interval).")

    public static let table = ConfigTable("[chat]", keys: [enabled, aliases, staleAfter, allow, deny, rateBurst, rateInterval])
}
