import TOMLConfig

/// The keys of a commands.d definition (a `.toml` file or a script's `# adhocd:` block),
/// declared once for `DefinitionReader` and the reference (docs/commands-d.md, adhocd.commands(5)).
public enum DefinitionKeys {
    static let name = ConfigKey(
        "name", .string, documented: "the node (a script without block: its file name)", "What clients show.")
    static let description = ConfigKey("description", .string, "Shown as the instructions of the parameters form.")
    static let exec = ConfigKey(
        "exec", .strings, documented: "required in a `.toml` file; a script runs itself, with the parameters as its arguments",
        "The program and its arguments, as a list. The program is an absolute path (there is no PATH lookup) and not a placeholder. A `{var}` element becomes that parameter's value as exactly one argument (one per value for multi-valued types); nothing passes through a shell. A missing program is a warning at load and an error note at run time.")
    static let allow = ConfigKey("allow", .strings, default: [], documented: "`[\"self\"]`", "")
    static let deny = ConfigKey("deny", .strings, default: [], "")
    static let confirm = ConfigKey(
        "confirm", .string,
        "A yes/no question asked after the parameters (or at once, without any), with `{var}` placeholders; secret values show as `(hidden)`. Answering no runs nothing. The form is one boolean, which Cheogram shows as buttons.")
    static let timeout = ConfigKey(
        "timeout", .value("duration (text) or seconds"), documented: "`\"30s\"`",
        "`\"500ms\"`, `\"30s\"`, `\"2m\"`, `\"1h30m\"` or a number of seconds; at most 24 h. Past it the program's whole process group gets SIGTERM, then SIGKILL.")
    static let output = ConfigKey(
        "output", .choice(CommandDefinition.OutputStyle.self) { "\"\($0)\" is not an output style; use \"text\", \"table\" or \"none\"" },
        default: .text,
        "`text`: standard output as a note. `table`: standard output as a table (below). `none`: \"Done.\"")
    static let environment = ConfigKey(
        "env", .table(nil),
        "Extra environment variables, `NAME = \"value\"`. Names starting with `ADHOCD_` are refused (they are adhocd's). May override `PATH`, `LANG`, `HOME`. The program also gets `ADHOCD_REQUESTER` (the requester's bare JID), `ADHOCD_NODE` and one `ADHOCD_PARAM_VAR` per parameter, and nothing else of adhocd's environment.")
    static let workingDirectory = ConfigKey(
        "workdir", .string, documented: "adhocd's working directory (`/` under systemd)",
        "The directory the program starts in; absolute.")
    static let user = ConfigKey(
        "user", .string, documented: "adhocd's own user",
        "Run as this account. Only when adhocd runs as root (refused otherwise): the run goes through `/usr/bin/setpriv --reuid=UID --regid=GID --init-groups -- PROGRAM ARGS…` (util-linux), spawned directly, so no shell is involved either. `HOME` is that user's.")
    static let maxRunning = ConfigKey(
        "max_running", .integer(1...100), default: 1, "Runs of this command at once; one more is refused with \"try again\".")
    static let parameters = ConfigKey(
        "param", .tables(ParameterKeys.table), default: [], documented: "none",
        "One `[[param]]` table per parameter, in the order of the form and of a script's arguments.")

    public static let table = ConfigTable("top level", keys: [
        name, description, exec,
        KeyRow(
            together: [allow, deny],
            "Who may list and run it: the rule language of `[commands.NAME]` (`self`, `group:NAME`, `jid:user@host`; deny wins)."),
        confirm, timeout, output, environment, workingDirectory, user, maxRunning, parameters,
    ])
}

/// The keys of one `[[param]]` table.
public enum ParameterKeys {
    static let variable = ConfigKey.required(
        "var", .string,
        "Name: a letter, then letters, digits, `_`, `-`. Its placeholder is `{var}`, its environment variable `ADHOCD_PARAM_VAR` (capitals, `-` as `_`).")
    static let type = ConfigKey(
        "type", .string.described(as: "an XEP-0004 field type"), documented: "`\"text-single\"`",
        "Any XEP-0004 type that carries input: `text-single`, `text-multi`, `text-private`, `boolean`, `list-single`, `list-multi`, `jid-single`, `jid-multi`. Values of `text-private` fields are redacted in logs and in the audit log.")
    static let label = ConfigKey("label", .string, documented: "the var", "")
    static let description = ConfigKey("description", .string, "")
    static let required = ConfigKey(
        "required", .boolean, default: false,
        "An empty required field is refused before anything runs: the form comes back with an error note.")
    static let defaultValue = ConfigKey(
        "default", .value("string, number, boolean or list of strings"),
        "The value offered: a string, number, boolean, or for multi-valued types a list. Checked like a submission.")
    static let options = ConfigKey(
        "options", .value("list of strings or of `{ value, label }` tables"), documented: "required for list types",
        "`[\"a\", \"b\"]` or `[{ value = \"a\", label = \"Alpha\" }, …]`. Values outside them are refused unless `open = true`.")
    static let open = ConfigKey(
        "open", .boolean, default: false, "For `list-single` and `list-multi`: also accept values that are not among the options.")
    static let datatype = ConfigKey(
        "datatype", .string, documented: "none (`xs:string`)",
        "XEP-0122 datatype: `xs:integer`, `xs:int`, `xs:long`, `xs:short`, `xs:byte`, the `xs:unsigned…` ones, `xs:double`, `xs:decimal`, `xs:float`, `xs:string` (the `xs:` may be left out). Clients pick keyboards from it.")
    static let minimum = ConfigKey("min", .value("number (or a string holding one)"), "")
    static let maximum = ConfigKey("max", .value("number (or a string holding one)"), "")
    static let regex = ConfigKey(
        "regex", .string, "The whole value must match (XEP-0122 regex); not with `min`/`max`. Checked at load to compile, and to repeat no group that itself repeats (`([a-z0-9]+-?)+`): such a pattern can take minutes on a value a contact types.")

    public static let table = ConfigTable("[[param]]", keys: [
        variable, type, KeyRow(together: [label, description], "Shown with the field."), required, defaultValue, options, open, datatype,
        KeyRow(
            together: [minimum, maximum],
            "A range (XEP-0122); implies `xs:integer` (or `xs:double` with a fractional bound) when no datatype is given."),
        regex,
    ])
}

/// The keys of an option written as a table: `options = [{ value = "a", label = "Alpha" }]`.
public enum OptionKeys {
    static let value = ConfigKey.required("value", .string, "What the parameter's value becomes when this option is chosen.")
    static let label = ConfigKey("label", .string, documented: "the value", "What clients show for it.")

    public static let table = ConfigTable("options tables", keys: [value, label])
}
