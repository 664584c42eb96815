import Chat
import Commands
import Logging
import ServiceLifecycle
import XMPPClient
import XMPPCore

extension ChatFrontEnd {
    /// The chat front end over the daemon's engine, answering through the client.
    static func live(engine: CommandEngine, settings: ChatSettings, client: XMPPClient, logger: Logger) -> ChatFrontEnd {
        var chatLogger = logger
        chatLogger[metadataKey: "component"] = "chat"
        let frontEnd = ChatFrontEnd(
            engine: engine, settings: settings, ownJID: { [client] in client.boundJID },
            send: { [client, chatLogger] element in
                do {
                    try await client.send(element)
                } catch {
                    // Offline: the answer is lost with the connection, as an IQ answer would be.
                    chatLogger.warning("chat answer not sent", metadata: ["jid": "\(element[attribute: "to"] ?? "")", "error": "\(error)"])
                }
            },
            logger: chatLogger)
        frontEnd.advertise(on: client.disco, enabled: settings.enabled)
        return frontEnd
    }

    /// What a chat client checks before it asks for receipts or shows typing (XEP-0184, XEP-0085).
    static let features = [IncomingChat.receiptsNamespace, "http://jabber.org/protocol/chatstates"]

    /// Advertises the chat features while the front end is on; true when that changed them.
    @discardableResult
    func advertise(on disco: ServiceDiscovery, enabled: Bool) -> Bool {
        let before = disco.info.features
        for feature in Self.features {
            if enabled { disco.addFeature(feature) } else { disco.removeFeature(feature) }
        }
        return disco.info.features != before
    }
}

/// The chat front end as a service: the client's messages in, answers out, until shutdown.
/// Messages from the fleet room (its lines, private messages through it) are the room's.
struct ChatService: Service {
    let chat: ChatFrontEnd
    let client: XMPPClient
    /// The fleet room now, if any.
    let fleetRoom: @Sendable () -> JID?

    func run() async throws {
        let events = client.events { event in
            if case .message = event { true } else { false }
        }
        await cancelWhenGracefulShutdown { [chat, fleetRoom] in
            await chat.run(events.compactMap { event -> Message? in
                if case .message(let message) = event, !message.comes(from: fleetRoom()) { return message }
                return nil
            })
        }
    }
}

/// `[chat]`: aliases, limits and who may chat apply from the next message; the features the
/// bot advertises follow `enabled`, and a changed caps hash goes out with the presence at once.
struct ChatFollower: ConfigurationFollower {
    let chat: ChatFrontEnd
    let client: XMPPClient

    func apply(_ new: DaemonConfiguration, replacing old: DaemonConfiguration) async -> ConfigurationChange {
        guard chat.apply(new.chat) else { return .unchanged }
        if chat.advertise(on: client.disco, enabled: new.chat.enabled), client.isOnline {
            await client.setPresence(client.presence)
        }
        return .applied("chat settings")
    }
}
