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

    /// The lines of an allowed run: before the program is spawned, when it ended, and (for
    /// ad-hoc requests) when the client reported how its answer reached the server.
    public enum Event: String, Sendable {
        case started, finished, delivered
    }

    public var time: String
    /// For allowed runs: which line of the run this is, and the id both lines share.
    public var event: Event?
    public var run: String?
    public var requester: JID
    public var node: String
    /// The front end the run was asked through (`ad-hoc`, `chat`) and the request's stanza id.
    public var via: String?
    public var request: String?
    /// For `delivered` lines: `live`, `after resumption`, `on a new stream`, or `dropped: why`;
    /// and whether the server acknowledged it (XEP-0198) rather than it only being written.
    public var delivery: String?
    public var acknowledged: Bool?
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
    /// Refusals of the same requester that were not written since its last line (rate limit).
    public var suppressed: Int?

    /// Bytes of one value (parameters, reason, requester, node) at most, escaped.
    public static let valueLimit = 1024
    /// Bytes of one line at most: parameters are left out past it (`"parameters_cut":true`).
    public static let lineLimit = 8 * 1024

    public enum ParameterValue: Sendable, Equatable {
        case single(String)
        case multiple([String])

        var json: String {
            switch self {
            case .single(let text): JSONText.string(text, limit: AuditEntry.valueLimit)
            case .multiple(let items): JSONText.array(items, limit: AuditEntry.valueLimit)
            }
        }
    }

    public static let redacted = "<redacted>"

    public init(requester: JID, node: String, parameters: [(name: String, value: ParameterValue)] = [], decision: Decision, time: String? = nil) {
        self.time = time ?? AuditTime.now()
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

    /// The entry as one JSON object on one line, at most `lineLimit` bytes.
    public var jsonLine: String {
        func text(_ value: String) -> String { JSONText.string(value, limit: Self.valueLimit) }
        var head: [(String, String)] = [("time", text(time))]
        if let event { head.append(("event", text(event.rawValue))) }
        if let run { head.append(("run", text(run))) }
        head += [("requester", text(requester.description)), ("node", text(node))]
        if let via { head.append(("via", text(via))) }
        if let request { head.append(("request", text(request))) }
        var tail: [(String, String)] = [("decision", text(decision.rawValue))]
        if let reason { tail.append(("reason", text(reason))) }
        if let outcome { tail.append(("outcome", text(outcome.rawValue))) }
        if let delivery { tail.append(("delivery", text(delivery))) }
        if let acknowledged { tail.append(("acknowledged", acknowledged ? "true" : "false")) }
        if event != .started, event != .delivered {
            tail.append(("exit_status", exitStatus.map { "\($0)" } ?? "null"))
            if let signal { tail.append(("signal", "\(signal)")) }
            tail.append(("duration", duration.map(JSONText.number) ?? "null"))
        }
        if let outputTruncated { tail.append(("output_truncated", outputTruncated ? "true" : "false")) }
        if let suppressed { tail.append(("suppressed", "\(suppressed)")) }

        // What the parameters may take: the line's limit less everything else and the marker.
        let fixed = JSONText.object(head + [("parameters", "{}")] + tail).utf8.count + #","parameters_cut":true"#.utf8.count
        var room = Self.lineLimit - fixed
        var kept: [(String, String)] = []
        var cut = false
        for parameter in parameters {
            let member = (parameter.name, parameter.value.json)
            let size = JSONText.object([member]).utf8.count - 1
            guard size <= room else {
                cut = true
                break
            }
            kept.append(member)
            room -= size
        }
        if cut { tail.append(("parameters_cut", "true")) }
        return JSONText.object(head + [("parameters", JSONText.object(kept))] + tail)
    }

    public static func == (lhs: AuditEntry, rhs: AuditEntry) -> Bool {
        lhs.jsonLine == rhs.jsonLine
    }
}
