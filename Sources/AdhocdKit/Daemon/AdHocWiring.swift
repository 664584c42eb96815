import AdHoc
import Commands
import XMPPClient
import XMPPCore

/// The roster as the source of group memberships for permission rules.
struct RosterGroups: GroupDirectory {
    let roster: Roster

    func groups(of contact: JID) -> Set<String> { roster.groups(of: contact) }
}

extension CommandResponder {
    /// Connects the responder to a client: command requests, disco for command nodes, and the
    /// features it brings. A node the requester may not run answers like no node at all. Both
    /// depend on the roster (permissions come from its groups): after a new login they wait for it.
    func attach(to client: XMPPClient) {
        client.router.register(.set, namespace: CommandNamespace.commands, requiresRoster: true) { [self] request in
            try await RequestOrigin.$current.withValue(RequestOrigin(.adHoc, requestID: request.iq.id)) {
                try await handle(request.payload, from: request.from)
            }
        }
        for feature in CommandResponder.features { client.disco.addFeature(feature) }
        client.disco.setNodeProviders(
            "adhoc",
            info: { [self] node, requester in discoInfo(node: node, requester: requester) },
            items: { [self, weak client] node, requester in
                guard node == CommandNamespace.commands else { return nil }
                guard let ownJID = client?.boundJID else { return [] }
                return discoItems(for: requester, ownJID: ownJID)
            },
            requiresRoster: true)
    }
}
