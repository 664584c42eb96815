#if canImport(Glibc)
import Glibc
#endif
import Logging

/// `2026-11-27T14:03:05+0000 info label: [Module] message key=value …` for terminals and
/// files; the module that logged is named, as swift-log's stream handler does.
enum PlainLine {
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
