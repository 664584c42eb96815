import Logging
import XMPPCore

/// Logs about one request with its requester, node and session as metadata.
///
/// The metadata is only assembled when a line is actually written: setting metadata on a
/// `Logger` copy makes some handlers re-render it each time, a cost measured on the hot path.
struct RequestLogger {
    let logger: Logger
    let requester: JID
    let node: String
    var session: String?

    private func metadata(_ extra: Logger.Metadata) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["jid": "\(requester)", "node": "\(node)"]
        if let session { metadata["session"] = "\(session)" }
        return metadata.merging(extra) { _, new in new }
    }

    func info(_ message: @autoclosure () -> Logger.Message, _ extra: @autoclosure () -> Logger.Metadata = [:]) {
        logger.info(message(), metadata: metadata(extra()))
    }

    func notice(_ message: @autoclosure () -> Logger.Message, _ extra: @autoclosure () -> Logger.Metadata = [:]) {
        logger.notice(message(), metadata: metadata(extra()))
    }

    func warning(_ message: @autoclosure () -> Logger.Message, _ extra: @autoclosure () -> Logger.Metadata = [:]) {
        logger.warning(message(), metadata: metadata(extra()))
    }

    func error(_ message: @autoclosure () -> Logger.Message, _ extra: @autoclosure () -> Logger.Metadata = [:]) {
        logger.error(message(), metadata: metadata(extra()))
    }
}
