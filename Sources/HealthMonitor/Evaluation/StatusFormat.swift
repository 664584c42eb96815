/// The status text template: literal text with `{placeholders}` for the report's parts.
///
/// `{summary}` (the default) is what is wrong first, then the numbers that are fine; the other
/// placeholders pick one part each. Parts are joined with " · "; where a placeholder comes out
/// empty, the `·` next to it is dropped too, so a template stays tidy when a probe is off.
public struct StatusFormat: Sendable, Equatable {
    public let template: String
    private let segments: [Segment]

    enum Segment: Sendable, Equatable {
        case text(String)
        case placeholder(Placeholder)
    }

    public enum Placeholder: String, Sendable, CaseIterable {
        case summary, problems, load, memory, disks, uptime, units, command, host, level
    }

    public static let `default` = StatusFormat(validated: "{summary}", segments: [.placeholder(.summary)])

    /// Longest status text sent; a contact list shows one line.
    public static let maximumLength = 200

    public init(_ template: String) throws(StatusFormatError) {
        var segments: [Segment] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex {
                guard !rest[..<open].contains("}") else { throw .unopenedBrace }
                segments.append(.text(String(rest[..<open])))
            }
            guard let close = rest[open...].firstIndex(of: "}") else { throw .unclosedBrace }
            let name = String(rest[rest.index(after: open)..<close])
            guard let placeholder = Placeholder(rawValue: name) else { throw .unknownPlaceholder(name) }
            segments.append(.placeholder(placeholder))
            rest = rest[rest.index(after: close)...]
        }
        if rest.contains("}") { throw .unopenedBrace }
        if !rest.isEmpty { segments.append(.text(String(rest))) }
        self.init(validated: template, segments: segments)
    }

    private init(validated template: String, segments: [Segment]) {
        self.template = template
        self.segments = segments
    }

    public static func == (lhs: StatusFormat, rhs: StatusFormat) -> Bool { lhs.template == rhs.template }

    /// The status text for this report on this host.
    public func render(_ report: HealthReport, host: String) -> String {
        var text = ""
        for segment in segments {
            switch segment {
            case .text(let literal): text += literal
            case .placeholder(let placeholder): text += Self.expand(placeholder, report, host: host)
            }
        }
        return Self.tidy(text)
    }

    static func expand(_ placeholder: Placeholder, _ report: HealthReport, host: String) -> String {
        func joined(_ items: [HealthItem]) -> String { items.map(\.text).joined(separator: " · ") }
        func items(_ match: (ProbeKind) -> Bool) -> [HealthItem] { report.items.filter { match($0.kind) && $0.isAvailable } }
        switch placeholder {
        case .summary: return joined(report.summary)
        case .problems: return joined(report.problems)
        case .load: return joined(items { $0 == .load })
        case .memory: return joined(items { $0 == .memory })
        case .disks: return joined(items { if case .disk = $0 { true } else { false } })
        case .uptime: return joined(items { $0 == .uptime })
        case .units: return joined(items { $0 == .failedUnits })
        case .command: return joined(items { if case .command = $0 { true } else { false } })
        case .host: return host
        case .level: return report.level.description
        }
    }

    /// Collapses white space, drops `·` separators around empty parts, caps the length.
    static func tidy(_ text: String) -> String {
        let parts = text.split(separator: "·").map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let joined = parts.filter { !$0.isEmpty }.joined(separator: " · ")
        guard joined.count > maximumLength else { return joined }
        return String(joined.prefix(maximumLength - 1)) + "…"
    }
}

public enum StatusFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownPlaceholder(String)
    case unclosedBrace
    case unopenedBrace

    public var description: String {
        switch self {
        case .unknownPlaceholder(let name):
            "unknown placeholder {\(name)} (known: \(StatusFormat.Placeholder.allCases.map { "{\($0.rawValue)}" }.joined(separator: ", ")))"
        case .unclosedBrace: "a '{' has no closing '}'"
        case .unopenedBrace: "a '}' has no opening '{'"
        }
    }
}
