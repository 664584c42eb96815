import Chat
import CommandFiles
import DBusBridge
import HealthMonitor
import TOMLConfig

/// The whole configuration reference, assembled from the tables each module declares beside its
/// reader: the key tables of docs/configuration.md and adhocd.toml(5), and of docs/commands-d.md
/// and adhocd.commands(5). `make docs` (`adhocd reference --update`) writes them into the
/// files' generated blocks; a test keeps the committed files equal to what it would write.
public enum ConfigurationReference {
    public static let blocks = ReferenceBlocks([
        ReferenceDocument("adhocd.toml", tables: [
            RootKeys.table, AccountKeys.table, PresenceKeys.table, ConnectionKeys.table, AdhocKeys.table, BuiltinKeys.table,
            MonitorKeys.table, DBusBlockKeys.table, CommandFilesKeys.table, ChatKeys.table, FleetKeys.table,
        ]),
        ReferenceDocument("commands.d", tables: [DefinitionKeys.table, ParameterKeys.table, OptionKeys.table]),
    ])

    /// The files with generated blocks, from the repository's root.
    public static let files = [
        "docs/configuration.md", "packaging/man/adhocd.toml.5", "docs/commands-d.md", "packaging/man/adhocd.commands.5",
    ]

    /// `text` of `file` with its blocks written from the declarations.
    public static func update(_ text: String, file: String) throws(ReferenceError) -> String {
        try blocks.update(text, format: ReferenceFormat(file: file))
    }
}
