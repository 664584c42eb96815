import Logging
import NIOCore
import Synchronization
import XMPPCore

/// The responders every client has: ping, version, disco. (Roster pushes are applied where
/// the stream is read, in order: see `handle(_:on:group:)`.)
extension XMPPClient {
    func registerCoreHandlers() {
        router.registerImmediate(.get, namespace: "urn:xmpp:ping") { _ in nil }
        disco.addFeature("urn:xmpp:ping")

        router.registerImmediate(.get, namespace: "jabber:iq:version") { [configuration] _ in
            var query = XMLElement("query", namespace: "jabber:iq:version")
            query.append(XMLElement("name", namespace: "jabber:iq:version", text: configuration.softwareName))
            query.append(XMLElement("version", namespace: "jabber:iq:version", text: configuration.softwareVersion))
            return query
        }
        disco.addFeature("jabber:iq:version")

        router.register(.get, namespace: DiscoNamespace.info) { [disco] request in try await disco.answerInfo(request) }
        router.register(.get, namespace: DiscoNamespace.items) { [disco] request in try await disco.answerItems(request) }
    }
}
