import XMPPCore

/// The environment a run gets: nothing inherited from the daemon, only what is listed here.
///
/// `PATH`, `LANG` and `HOME` (which `[env]` may override), then the definition's `[env]`, then
/// `ADHOCD_REQUESTER` (the requester's bare JID), `ADHOCD_NODE`, and one `ADHOCD_PARAM_NAME`
/// per parameter: its value, several values joined by newlines, empty when left blank.
public enum RunEnvironment {
    public static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    public static let defaultLanguage = "C.UTF-8"
    /// Names `[env]` may not set: adhocd's own.
    public static let reservedPrefix = "ADHOCD_"

    public static func build(
        for definition: CommandDefinition, values: SubmittedValues, requester: JID, home: String
    ) throws(UnpassableValue) -> [String: String] {
        var environment = ["PATH": defaultPath, "LANG": defaultLanguage, "HOME": home]
        environment.merge(definition.environment) { _, configured in configured }
        environment["ADHOCD_REQUESTER"] = requester.bare.description
        environment["ADHOCD_NODE"] = definition.node
        for parameter in definition.parameters {
            let value = values[parameter.variable].joined(separator: "\n")
            try UnpassableValue.check(value, variable: parameter.variable)
            environment[parameter.environmentName] = value
        }
        return environment
    }

    /// Whether `name` can be an environment variable's name: a letter or `_`, then letters,
    /// digits or `_`.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || ("A"..."Z").contains(first) || ("a"..."z").contains(first) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }
}
