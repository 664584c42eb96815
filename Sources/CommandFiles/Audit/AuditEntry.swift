import XMPPCore

/// One line of the audit log: an attempt to run a commands.d command, whatever came of it.
public struct AuditEntry: Sendable, Equatable {
    public enum Decision: String, Sendable {
        /// The rules allowed it and it ran (or tried to start).
        case allowed
        /// The requester's rules do not allow the command.
        case refused
        /// The requester answered no to the confirmation.
        case declined
        /// Not run: a concurrency limit, an unwritable audit log, a changed definition.
        case notRun = "not-run"
    }

    /// How a run ended, for `allowed` entries.
    public enum Outcome: String, Sendable {
        case exited, killed
        case timedOut = "timed-out"
        case cancelled
        case failedToStart = "failed-to-start"
    }

    public var time: String
    public var requester: JID
    public var node: String
    /// Declared parameters in order, secret ones already replaced by `<redacted>`.
    public var parameters: [(name: String, value: ParameterValue)]
    public var decision: Decision
    public var reason: String?
    public var outcome: Outcome?
    public var exitStatus: Int32?
    public var signal: Int32?
    /// Seconds the program ran.
    public var duration: Double?
    public var outputTruncated: Bool?

    public enum ParameterValue: Sendable, Equatable {
        case single(String)
        case multiple([String])

        var json: String {
            switch self {
            case .single(let text): JSONText.string(text)
            case .multiple(let items): JSONText.array(items)
            }
        }
    }

    public static let redacted = "<redacted>"

    public init(requester: JID, node: String, parameters: [(name: String, value: ParameterValue)] = [], decision: Decision, time: String? = nil) {
        self.time = time ?? JSONText.now()
        self.requester = requester
        self.node = node
        self.parameters = parameters
        self.decision = decision
    }

    /// The parameters of `definition` as submitted, secrets redacted; undeclared fields left out.
    public static func parameters(_ values: [String: [String]], of definition: CommandDefinition) -> [(name: String, value: ParameterValue)] {
        definition.parameters.compactMap { parameter in
            guard let given = values[parameter.variable] else { return nil }
            let shown = parameter.isSecret ? given.map { _ in redacted } : given
            return (parameter.variable, parameter.isMultiValued ? .multiple(shown) : .single(shown.first ?? ""))
        }
    }

    /// The entry as one JSON object on one line.
    public var jsonLine: String {
        var members: [(String, String)] = [
            ("time", JSONText.string(time)),
            ("requester", JSONText.string(requester.description)),
            ("node", JSONText.string(node)),
            ("parameters", JSONText.object(parameters.map { ($0.name, $0.value.json) })),
            ("decision", JSONText.string(decision.rawValue)),
        ]
        if let reason { members.append(("reason", JSONText.string(reason))) }
        if let outcome { members.append(("outcome", JSONText.string(outcome.rawValue))) }
        members.append(("exit_status", exitStatus.map { "\($0)" } ?? "null"))
        if let signal { members.append(("signal", "\(signal)")) }
        members.append(("duration", duration.map(JSONText.number) ?? "null"))
        if let outputTruncated { members.append(("output_truncated", outputTruncated ? "true" : "false")) }
        return JSONText.object(members)
    }

    public static func == (lhs: AuditEntry, rhs: AuditEntry) -> Bool {
        lhs.jsonLine == rhs.jsonLine
    }
}
