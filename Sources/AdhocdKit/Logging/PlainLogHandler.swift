import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Writes log lines for terminals and files: `2026-11-27T14:03:05+0000 info label: [Module]
/// message key=value …`, each event one line in one write(2), escaped like the journal's
/// (`LogLine`). The module that logged is named, as swift-log's stream handler does.
public struct PlainLogHandler: LogHandler {
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
        standardError.write(Self.format(
            time: Self.now(), level: event.level, label: label, source: event.source, message: "\(event.message)", metadata: merged))
    }

    static func format(time: String, level: Logger.Level, label: String, source: String, message: String, metadata: Logger.Metadata) -> String {
        "\(time) \(level) \(label): [\(LogLine.escaped(source))] " + LogLine.text(message: message, metadata: metadata) + "\n"
    }

    /// Local time with its offset, as swift-log's stream handler writes it.
    static func now() -> String {
        var seconds = time(nil)
        var parts = tm()
        localtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
