import XMPPClient
import XMPPCore

/// The requests the benchmark sends, each checking its answer.
enum BenchRequests {
    static let commands = "http://jabber.org/protocol/commands"

    static func ping(_ client: XMPPClient, _ bot: JID) async throws {
        _ = try await client.request(IQ(.get, id: client.makeStanzaID(), to: bot, payload: XMLElement("ping", namespace: "urn:xmpp:ping")))
    }

    /// execute → form → complete.
    static func runCommand(_ client: XMPPClient, _ bot: JID, node: String) async throws {
        let session = try await startCommand(client, bot, node: node)
        try await completeCommand(client, bot, node: node, session: session)
    }

    /// The first stage only: the answer's form, and the session left open. Returns its id.
    static func startCommand(_ client: XMPPClient, _ bot: JID, node: String) async throws -> String {
        let first = try await client.request(IQ(.set, id: client.makeStanzaID(), to: bot, payload: XMLElement(
            "command", namespace: commands, ["node": node, "action": "execute"])))
        guard let command = first.payload, command[attribute: "status"] == "executing",
              let session = command[attribute: "sessionid"]
        else { throw BenchError("unexpected first answer: \(first.element.serialized())") }
        return session
    }

    static func completeCommand(_ client: XMPPClient, _ bot: JID, node: String, session: String) async throws {
        var form = DataForm(.submit, fields: [FormField("text", type: nil, values: ["benchmark"])])
        form.formType = nil
        let second = try await client.request(IQ(.set, id: client.makeStanzaID(), to: bot, payload: XMLElement(
            "command", namespace: commands, ["node": node, "sessionid": session, "action": "complete"],
            children: [.element(form.element)])))
        guard second.payload?[attribute: "status"] == "completed" else {
            throw BenchError("unexpected second answer: \(second.element.serialized())")
        }
    }

    /// disco#items on the commands node: the command list a client shows. Returns the count.
    static func listCommands(_ client: XMPPClient, _ bot: JID) async throws -> Int {
        let answer = try await client.request(IQ(.get, id: client.makeStanzaID(), to: bot, payload: XMLElement(
            "query", namespace: "http://jabber.org/protocol/disco#items", ["node": commands])))
        return answer.payload?.children("item").count ?? 0
    }

    static func waitOnline(_ client: XMPPClient) async throws {
        for _ in 0..<600 where !client.isOnline {
            try await Task.sleep(for: .milliseconds(50))
        }
        guard client.isOnline else { throw BenchError("a load connection did not come online in 30 s") }
    }

    /// Pings `bot` every 2 ms until it answers (before that the server answers for it with an
    /// error); returns the time from `start` to that answer.
    static func waitAnswering(_ client: XMPPClient, _ bot: JID, since start: ContinuousClock.Instant) async throws -> Double {
        let clock = ContinuousClock()
        while clock.now - start < .seconds(60) {
            if (try? await client.request(IQ(.get, id: client.makeStanzaID(), to: bot,
                                              payload: XMLElement("ping", namespace: "urn:xmpp:ping")), timeout: .seconds(5))) != nil {
                return (clock.now - start).seconds
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw BenchError("\(bot) did not answer a ping within 60 s of its start")
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
