import Logging

/// adhocd's log handler: each event one line on standard error, in one write(2), escaped so
/// no input can forge a line (`LogLine`): journald's form under systemd, the plain form on
/// terminals and in files (`LogFormat`).
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: LogFormat

    /// `format` is `journald` or `plain` (resolve `auto` first).
    public init(label: String, format: LogFormat) {
        self.label = label
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        let message = "\(event.message)"
        var standardError = StandardError()
        switch format {
        case .journald:
            standardError.write(JournalLine.format(level: event.level, label: label, message: message, metadata: merged))
        case .plain, .auto:
            standardError.write(PlainLine.format(
                time: PlainLine.now(), level: event.level, label: label, source: event.source, message: message, metadata: merged))
        }
    }
}

/// `<N>label: message key=value …`: journald takes the level from the prefix and stamps the
/// time itself (sd-daemon(3)).
enum JournalLine {
    /// The syslog priority journald reads from a line's `<N>` prefix.
    static func priority(of level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    static func format(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        "<\(priority(of: level))>\(label): " + LogLine.text(message: message, metadata: metadata) + "\n"
    }
}
