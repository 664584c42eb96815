import Logging
import NIOCore
import Synchronization
import XMPPCore

/// The responders every client has: ping, version, disco, roster pushes.
extension XMPPClient {
    func registerCoreHandlers() {
        router.register(.get, namespace: "urn:xmpp:ping") { _ in nil }
        disco.addFeature("urn:xmpp:ping")

        router.register(.get, namespace: "jabber:iq:version") { [configuration] _ in
            var query = XMLElement("query", namespace: "jabber:iq:version")
            query.append(XMLElement("name", namespace: "jabber:iq:version", text: configuration.softwareName))
            query.append(XMLElement("version", namespace: "jabber:iq:version", text: configuration.softwareVersion))
            return query
        }
        disco.addFeature("jabber:iq:version")

        router.register(.get, namespace: DiscoNamespace.info) { [disco] request in try await disco.answerInfo(request) }
        router.register(.get, namespace: DiscoNamespace.items) { [disco] request in try await disco.answerItems(request) }

        // Roster pushes are only believed from our own account (RFC 6121 §2.1.6).
        router.register(.set, namespace: Roster.namespace) { [roster, broadcaster, configuration] request in
            guard request.from == configuration.account else { throw StanzaError(.serviceUnavailable) }
            let items = Roster.items(in: request.payload)
            guard items.count == 1, let item = items.first else {
                throw StanzaError(.badRequest, text: "a roster push carries exactly one item")
            }
            roster.apply(item)
            broadcaster.yield(.rosterChanged(item))
            return nil
        }
    }
}
