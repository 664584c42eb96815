import Logging
#if canImport(Glibc)
import Glibc
#endif

/// How `adhocd run` writes log lines to standard error.
public enum LogFormat: String, Sendable, CaseIterable {
    /// `journald` when standard error is connected to the journal, `plain` otherwise.
    case auto
    /// A syslog priority prefix (`<6>`) and no timestamp: journald stamps each line itself and
    /// takes its level from the prefix (sd-daemon(3)).
    case journald
    /// swift-log's stream format, with timestamps: for terminals and files.
    case plain

    /// Decides `auto`. systemd sets `JOURNAL_STREAM` to the device and inode of the journal's
    /// stream (systemd.exec(5)); comparing them with standard error's tells whether our lines
    /// really go there, and not to a file or pipe the variable was merely inherited by.
    public func resolved(journalStream: String? = getenv("JOURNAL_STREAM").map { String(cString: $0) }) -> LogFormat {
        guard self == .auto else { return self }
        var status = stat()
        guard let journalStream, fstat(2, &status) == 0 else { return .plain }
        return Self.names(journalStream, device: UInt64(status.st_dev), inode: UInt64(status.st_ino)) ? .journald : .plain
    }

    /// Whether a `JOURNAL_STREAM` value (`DEVICE:INODE`, in decimal) names this device and inode.
    static func names(_ journalStream: String, device: UInt64, inode: UInt64) -> Bool {
        let parts = journalStream.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let streamDevice = UInt64(parts[0]), let streamInode = UInt64(parts[1]) else { return false }
        return streamDevice == device && streamInode == inode
    }
}

/// Writes log lines for journald: `<N>label: message key=value …`, each event one line in one
/// write(2); journald takes the level from the prefix and stamps the time itself.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        var standardError = StandardError()
        standardError.write(Self.format(level: event.level, label: label, message: "\(event.message)", metadata: merged))
    }

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

    /// The text for one event: one line, whatever the message holds (`LogLine`).
    static func format(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        "<\(priority(of: level))>\(label): " + LogLine.text(message: message, metadata: metadata) + "\n"
    }
}
