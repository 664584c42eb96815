import XMPPClient
import XMPPCore

/// XEP-0092 software version, for contacts only. Which software and version a machine runs
/// is what an attacker looks up first, so a requester whom no command rule admits gets
/// `service-unavailable`, the answer of a client without the feature.
extension Daemon {
    static let versionNamespace = "jabber:iq:version"

    /// Replaces the client's own handler, which answers everyone. Decided on the roster, so it
    /// waits for a new session's, as command requests do.
    func answerVersionToAdmittedContactsOnly() {
        let name = client.configuration.softwareName
        let version = client.configuration.softwareVersion
        client.router.register(.get, namespace: Self.versionNamespace, requiresRoster: true) { [weak self] request in
            guard let self, someCommandRuleAdmits(request.from) else { throw StanzaError(.serviceUnavailable) }
            return XMLElement("query", namespace: Self.versionNamespace, children: [
                .element(XMLElement("name", namespace: Self.versionNamespace, text: name)),
                .element(XMLElement("version", namespace: Self.versionNamespace, text: version)),
            ])
        }
    }
}
