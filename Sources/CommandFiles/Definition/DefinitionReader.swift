import Commands
import TOMLConfig
import XMPPCore

/// Turns the TOML of a definition (a `.toml` file, or a script's `# adhocd:` block) into a
/// `CommandDefinition`, or a `DefinitionError` naming the line to fix.
public struct DefinitionReader: Sendable {
    /// Whether adhocd runs as root: only then may a definition name a `user`.
    public var isRoot: Bool
    public var lookUpUser: @Sendable (String) -> RunAsUser?

    public init(isRoot: Bool, lookUpUser: @escaping @Sendable (String) -> RunAsUser? = RunAsUser.lookUp) {
        self.isRoot = isRoot
        self.lookUpUser = lookUpUser
    }

    /// What the file is, besides its text.
    public struct Origin: Sendable {
        public var file: String
        public var node: String
        public var form: CommandDefinition.Form
        public var stamp: FileStamp

        public init(file: String, node: String, form: CommandDefinition.Form, stamp: FileStamp = FileStamp()) {
            self.file = file
            self.node = node
            self.form = form
            self.stamp = stamp
        }
    }

    /// Reads a `.toml` definition.
    public func read(toml text: String, origin: Origin) throws(DefinitionError) -> CommandDefinition {
        let document: TOMLDocument
        do {
            document = try ConfigValue.parseTOMLWithLines(text, file: origin.file)
        } catch {
            throw DefinitionError(error, keyLines: TOMLKeyLines())
        }
        do {
            var root = ConfigSection(file: origin.file, path: "", values: document.values, keyLines: document.keyLines, schema: DefinitionKeys.table)
            return try read(&root, origin: origin)
        } catch {
            throw DefinitionError(error, keyLines: document.keyLines)
        }
    }

    /// Reads a `.toml` definition from the file's bytes, which must be UTF-8.
    public func read(toml bytes: [UInt8], origin: Origin) throws(DefinitionError) -> CommandDefinition {
        let text: String
        do {
            text = try ConfigValue.tomlText(utf8: bytes, file: origin.file)
        } catch {
            throw DefinitionError(error, keyLines: TOMLKeyLines())
        }
        return try read(toml: text, origin: origin)
    }

    /// Reads an executable: its header block if it has one, else a parameterless command for
    /// `self` named after the file.
    public func read(script text: String, origin: Origin) throws(DefinitionError) -> CommandDefinition {
        guard let header = try ScriptHeader.extract(from: text, file: origin.file) else {
            // No block: a parameterless command for `self`, named after its file.
            let values: [String: ConfigValue] = [
                DefinitionKeys.exec.name: .array([.string(origin.file)]),
                DefinitionKeys.name.name: .string(String(origin.file.split(separator: "/").last ?? Substring(origin.node))),
            ]
            var root = ConfigSection(file: origin.file, path: "", values: values, schema: DefinitionKeys.table)
            do {
                return try read(&root, origin: origin)
            } catch {
                throw DefinitionError(error, keyLines: TOMLKeyLines())
            }
        }
        return try read(toml: header, origin: origin)
    }

    private func read(_ root: inout ConfigSection, origin: Origin) throws(ConfigurationError) -> CommandDefinition {
        typealias Keys = DefinitionKeys
        let parameters = try readParameters(&root)
        let names = Set(parameters.map(\.variable))

        let argv: [String]
        if let given = try root.read(Keys.exec) {
            argv = given
        } else if origin.form == .script {
            // The script itself, with the parameters as arguments in declared order.
            argv = [origin.file] + parameters.map { "{\($0.variable)}" }
        } else {
            throw root.error(Keys.exec.name, "is required: the program and its arguments, e.g. exec = [\"/usr/bin/systemctl\", \"restart\", \"{unit}\"]")
        }
        let exec: ArgumentTemplate
        do {
            exec = try ArgumentTemplate(parsing: argv, parameters: names)
        } catch {
            throw root.error(Keys.exec.name, error.description)
        }

        let name = try root.read(Keys.name) ?? origin.node
        guard !name.trimmingWhitespace().isEmpty else { throw root.error(Keys.name.name, "is empty: give the name clients show") }
        let description = try root.read(Keys.description)
        let policy = try readPolicy(&root)
        var confirm: MessageTemplate?
        if let text = try root.read(Keys.confirm) {
            do {
                confirm = try MessageTemplate(parsing: text, parameters: names)
            } catch {
                throw root.error(Keys.confirm.name, error.description)
            }
        }
        let timeout = try readTimeout(&root)
        let output = try root.read(Keys.output)
        let environment = try readEnvironment(&root)
        let workingDirectory = try root.read(Keys.workingDirectory)
        if let workingDirectory, !workingDirectory.hasPrefix("/") {
            throw root.error(Keys.workingDirectory.name, "\"\(workingDirectory)\" must be an absolute path")
        }
        let user = try readUser(&root)
        let maxRunning = try root.read(Keys.maxRunning)
        try root.rejectUnknownKeys()

        return CommandDefinition(
            node: origin.node, name: name, description: description, file: origin.file, form: origin.form, exec: exec,
            parameters: parameters, policy: policy, confirm: confirm, timeout: timeout, output: output, environment: environment,
            workingDirectory: workingDirectory, user: user, maxRunning: maxRunning, stamp: origin.stamp)
    }

    private func readParameters(_ root: inout ConfigSection) throws(ConfigurationError) -> [ParameterDefinition] {
        var parameters: [ParameterDefinition] = []
        for var section in try root.read(DefinitionKeys.parameters) {
            let parameter = try ParameterReader.read(&section)
            if parameters.contains(where: { $0.variable == parameter.variable }) {
                throw section.error(ParameterKeys.variable.name, "\"\(parameter.variable)\" is declared twice")
            }
            if let clash = parameters.first(where: { $0.environmentName == parameter.environmentName }) {
                throw section.error(ParameterKeys.variable.name, "\"\(parameter.variable)\" and \"\(clash.variable)\" would both be \(parameter.environmentName); rename one")
            }
            parameters.append(parameter)
        }
        return parameters
    }

    private func readPolicy(_ root: inout ConfigSection) throws(ConfigurationError) -> AccessPolicy {
        let allow = try root.read(DefinitionKeys.allow)
        let deny = try root.read(DefinitionKeys.deny)
        for (key, rules) in [(DefinitionKeys.allow.name, allow), (DefinitionKeys.deny.name, deny)] {
            for rule in rules {
                do {
                    _ = try AccessRule(parsing: rule)
                } catch {
                    throw root.error(key, error.description)
                }
            }
        }
        return (try? AccessPolicy(allow: allow, deny: deny)) ?? .ownAccountOnly
    }

    private func readTimeout(_ root: inout ConfigSection) throws(ConfigurationError) -> Duration {
        let key = DefinitionKeys.timeout
        let timeout: Duration
        switch try root.read(key) {
        case nil: return CommandDefinition.defaultTimeout
        case .integer(let seconds): timeout = .seconds(seconds)
        case .double(let seconds) where seconds.isFinite: timeout = .clampedMilliseconds(seconds * 1000)
        case .string(let text):
            guard let parsed = DurationText.parse(text) else {
                throw root.error(key.name, "\"\(text)\" is not a duration; write e.g. \"30s\", \"2m\", \"1h30m\" or a number of seconds")
            }
            timeout = parsed
        case let other?: throw root.error(key.name, "expected a duration such as \"30s\", found \(other.kindName)")
        }
        guard timeout > .zero, timeout <= .seconds(86_400) else {
            throw root.error(key.name, "must be more than 0 and at most 24 hours")
        }
        return timeout
    }

    private func readEnvironment(_ root: inout ConfigSection) throws(ConfigurationError) -> [String: String] {
        guard var section = try root.read(DefinitionKeys.environment) else { return [:] }
        var environment: [String: String] = [:]
        for name in section.values.keys.sorted() {
            guard RunEnvironment.isValidName(name) else {
                throw section.error(name, "is not a valid environment variable name (letters, digits and _, not starting with a digit)")
            }
            guard !name.hasPrefix(RunEnvironment.reservedPrefix) else {
                throw section.error(name, "names starting with \(RunEnvironment.reservedPrefix) are set by adhocd itself; choose another name")
            }
            guard let value = try section.read(name, as: .string) else { continue }
            guard !value.utf8.contains(0) else { throw section.error(name, "contains a NUL character") }
            environment[name] = value
        }
        return environment
    }

    private func readUser(_ root: inout ConfigSection) throws(ConfigurationError) -> RunAsUser? {
        let key = DefinitionKeys.user
        guard let name = try root.read(key) else { return nil }
        guard isRoot else {
            throw root.error(key.name, "running as \"\(name)\" needs adhocd to run as root; remove the key, or run adhocd as root")
        }
        guard let user = lookUpUser(name) else { throw root.error(key.name, "there is no user \"\(name)\" on this machine") }
        return user
    }
}
