import Logging
import Synchronization
import XMPPCore

/// An incoming get or set, as a handler sees it.
public struct IQRequest: Sendable {
    public let iq: IQ
    /// The sender; a stanza without `from` comes from our own account (RFC 6120 §8.1.2.1).
    public let from: JID
    public let payload: XMLElement

    public init(iq: IQ, from: JID, payload: XMLElement) {
        self.iq = iq
        self.from = from
        self.payload = payload
    }
}

/// Answers a request with the result's payload (nil for an empty result), or throws a
/// `StanzaError`. Any other error becomes `internal-server-error`.
public typealias IQHandler = @Sendable (IQRequest) async throws -> XMLElement?

/// Routes incoming requests to handlers by type and payload namespace, and makes sure every
/// get and set gets exactly one answer.
public final class IQRouter: Sendable {
    private struct Key: Hashable {
        var kind: IQ.Kind
        var namespace: String
    }

    private let handlers = Mutex<[Key: IQHandler]>([:])
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Registers the handler for requests of `kind` whose payload is in `namespace`,
    /// replacing any earlier one.
    public func register(_ kind: IQ.Kind, namespace: String, handler: @escaping IQHandler) {
        precondition(kind.isRequest, "handlers answer get and set requests only")
        handlers.withLock { $0[Key(kind: kind, namespace: namespace)] = handler }
    }

    public func unregister(_ kind: IQ.Kind, namespace: String) {
        _ = handlers.withLock { $0.removeValue(forKey: Key(kind: kind, namespace: namespace)) }
    }

    /// The answer to a request: a result, or an error (service-unavailable when nothing
    /// handles it, bad-request when it is malformed). Nil only for stanzas that are not
    /// requests, or that lack the id an answer needs.
    func answer(_ iq: IQ, sender: JID) async -> IQ? {
        guard let kind = iq.kind else {
            return iq.id == nil ? nil : iq.error(StanzaError(.badRequest, text: "missing or unknown iq type"))
        }
        guard kind.isRequest, iq.id != nil else { return nil }
        let payloads = iq.element.elements
        guard payloads.count == 1, let payload = payloads.first else {
            return iq.error(StanzaError(.badRequest, text: "a request carries exactly one payload element"))
        }
        let handler = handlers.withLock { $0[Key(kind: kind, namespace: payload.namespace)] }
        guard let handler else {
            return iq.error(StanzaError(.serviceUnavailable))
        }
        do {
            let result = try await handler(IQRequest(iq: iq, from: sender, payload: payload))
            return iq.result(payload: result)
        } catch let error as StanzaError {
            return iq.error(error)
        } catch {
            logger.error("request handler failed", metadata: [
                "namespace": "\(payload.namespace)", "from": "\(sender)", "error": "\(error)",
            ])
            return iq.error(StanzaError(.internalServerError, text: "the request could not be processed"))
        }
    }
}
