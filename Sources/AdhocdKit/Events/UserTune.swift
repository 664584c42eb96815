import DBusBridge
import XMPPCore

/// XEP-0118 User Tune, published over PEP (XEP-0163): an IQ set to our own account with a
/// pubsub `<publish/>` to the tune node. The server pushes it to the contacts subscribed to our
/// presence whose clients advertise `…tune+notify`; we need no caps feature of our own for that.
enum UserTune {
    static let namespace = "http://jabber.org/protocol/tune"
    static let pubsubNamespace = "http://jabber.org/protocol/pubsub"
    static let publishOptionsFormType = "http://jabber.org/protocol/pubsub#publish-options"
    /// Only presence subscribers may read it (Prosody's default too): never the whole world.
    static let accessModel = "presence"

    /// `<tune/>` with the track's fields in XEP-0118's order; empty for nil (playback stopped).
    static func element(_ track: Track?) -> XMLElement {
        var tune = XMLElement("tune", namespace: namespace)
        guard let track else { return tune }
        let fields: [(String, String?)] = [
            ("artist", track.artist), ("length", track.length.map(String.init)), ("source", track.source),
            ("title", track.title), ("track", track.track),
        ]
        for case let (name, value?) in fields {
            tune.append(XMLElement(name, namespace: namespace, text: value))
        }
        return tune
    }

    /// The publication, with publish-options that require (or, for a new node, set) the
    /// `presence` access model. No `to`: the request goes to our own bare JID's PEP service.
    static func publication(_ track: Track?, id: String) -> IQ {
        var publish = XMLElement("publish", namespace: pubsubNamespace, ["node": namespace])
        publish.append(XMLElement("item", namespace: pubsubNamespace, ["id": "current"], children: [.element(element(track))]))
        let options = DataForm(.submit, fields: [
            FormField("FORM_TYPE", type: .hidden, values: [publishOptionsFormType]),
            FormField("pubsub#access_model", type: nil, values: [accessModel]),
        ])
        let pubsub = XMLElement("pubsub", namespace: pubsubNamespace, children: [
            .element(publish),
            .element(XMLElement("publish-options", namespace: pubsubNamespace, children: [.element(options.element)])),
        ])
        return IQ(.set, id: id, payload: pubsub)
    }
}
